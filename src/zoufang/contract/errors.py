"""Errors a command reports as exit code 2, importable without the data stack (``zoufang --help``)."""


class InputError(Exception):
    """The input cannot be used at all (exit code 2); the message is for the clerk."""


class WriteRefused(Exception):
    """A write was refused before anything was touched (exit code 2; message for the clerk)."""


OS_ERRORS = {  # errno name → what a clerk reads
    "ENOENT": "找不到文件", "EACCES": "没有权限（文件被占用、只读或无权访问）", "EPERM": "没有权限（文件被占用、只读或无权访问）",
    "EISDIR": "这是文件夹，不是文件", "ENOTDIR": "路径中有一段不是文件夹", "ENOSPC": "磁盘已满", "EROFS": "磁盘是只读的",
    "EBUSY": "文件正被其他程序使用", "ENAMETOOLONG": "文件名或路径太长", "EINVAL": "文件名或路径无效",
    "EDQUOT": "磁盘配额已满", "EIO": "磁盘读写出错", "EFBIG": "文件超出允许的大小（磁盘或配额已满）",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error in Chinese: what happened, never the system's English words."""
    import errno
    if exc.errno is None and exc.args and isinstance(exc.args[0], str):
        return exc.args[0]  # zoufang's own words (a copy that does not verify)
    name = errno.errorcode.get(exc.errno or 0, "")
    return OS_ERRORS.get(name, f"读写失败（系统错误 {name or exc.errno or type(exc).__name__}）")
