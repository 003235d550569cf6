"""The command line's own frame in Chinese: help pages, usage lines and usage errors.

Done through the CLI library's own means: typer's command and group classes (``cls=``) with their help
formatting (click's HelpFormatter with our headings), their ``main`` (usage errors shown from the
exception's fields, never from its English text), and parameter types that fail in Chinese.
"""
from __future__ import annotations

import difflib
import sys
import unicodedata

from typer._click import exceptions as click_errors  # typer's vendored click (typer is pinned)
from typer._click.types import IntRange
from typer.core import TyperCommand, TyperGroup

HELP_OPTION_TEXT = "显示本帮助并退出"
KIND_NAMES = {"path": "PATH", "integer": "N", "integer range": "N", "text": "TEXT", "整数": "N"}


class WholeNumber(IntRange):
    """A whole number, optionally within bounds, refused in Chinese."""

    name = "整数"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"“{value}”不是整数", param, ctx)
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            self.fail(f"应在 {self.min} 到 {self.max} 之间（收到 {number}）", param, ctx)
        return number


def _metavar(param) -> str:
    """What stands for a parameter's value: BOOK, PATHS…, or the option's metavar (CLI.md's synopsis)."""
    if param.param_type_name == "argument":
        return param.name.upper() + ("…" if param.nargs == -1 else "")
    if getattr(param, "is_flag", False):
        return ""
    return param.metavar or KIND_NAMES.get(getattr(param.type, "name", ""), "VALUE")


def display_width(text: str) -> int:
    """Columns a text takes on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_rows(formatter, title: str, rows: list[tuple[str, str]]) -> None:
    """A section of a help page: its heading, then each row with its text aligned as it shows."""
    formatter.write_paragraph()
    formatter.write(f"{title}：\n")
    width = min(max(display_width(left) for left, _ in rows), 30)
    for left, right in rows:
        gap = width - display_width(left)
        formatter.write(f"  {left}{' ' * gap}  {right}\n" if gap >= 0 else f"  {left}\n  {' ' * width}  {right}\n")


def _record(param, help_option) -> tuple[str, str] | None:
    """One line of a help page: the parameter as typed, and what it is for."""
    if getattr(param, "hidden", False):
        return None
    metavar = _metavar(param)
    if param.param_type_name == "argument":
        left = metavar
    else:
        left = " / ".join((", ".join(param.opts), *param.secondary_opts)) if getattr(param, "secondary_opts", None) \
            else ", ".join(param.opts)  # an on/off pair shows both spellings: --encrypt / --no-encrypt
        left += f" {metavar}" if metavar else ""
    text = HELP_OPTION_TEXT if param is help_option else (getattr(param, "help", None) or "")
    notes = []
    if isinstance(param.type, IntRange) and param.type.min is not None and param.type.max is not None:
        notes.append(f"{param.type.min}–{param.type.max}")
    if param.required:
        notes.append("必填")
    elif param.default not in (None, False, ()) and not getattr(param, "is_flag", False) and param is not help_option:
        default = param.default() if callable(param.default) else param.default
        notes.append(f"默认：{default}")
    return left, text + (f"（{'，'.join(notes)}）" if notes else "")


def _write_help(command, ctx, formatter, pieces: str, commands: list[tuple[str, str]] | None = None) -> None:
    formatter.write_usage(ctx.command_path, pieces, prefix="用法：")
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.help)
    help_option = command.get_help_option(ctx)
    params = command.get_params(ctx)
    for title, kind in (("参数", "argument"), ("选项", "option")):
        rows = [r for p in params if p.param_type_name == kind and (r := _record(p, help_option))]
        if rows:
            _write_rows(formatter, title, rows)
    if commands:
        _write_rows(formatter, "命令", commands)


def _usage_pieces(command, ctx) -> str:
    args = [_metavar(p) for p in command.get_params(ctx) if p.param_type_name == "argument"]
    return " ".join(["[选项]", *args])


def usage_error_text(exc) -> str:
    """A usage error in Chinese, from the exception's fields."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click_errors.MissingParameter) and param is not None:
        if param.param_type_name == "argument":
            return f"缺少参数 {_metavar(param)}"
        return f"缺少选项 {param.opts[0]}"
    if isinstance(exc, click_errors.NoSuchOption):
        near = sorted(exc.possibilities or ())
        return f"没有选项 {exc.option_name}" + (f"，是不是 {'、'.join(near)}？" if near else "")
    if isinstance(exc, click_errors.BadOptionUsage):
        command = exc.ctx.command if exc.ctx else None
        flag = next((p for p in (command.params if command else []) if exc.option_name in getattr(p, "opts", [])), None)
        if flag is not None and getattr(flag, "is_flag", False):
            return f"选项 {exc.option_name} 后面不带值"
        return f"选项 {exc.option_name} 后面缺少值"
    if isinstance(exc, click_errors.BadParameter) and param is not None:
        where = _metavar(param) if param.param_type_name == "argument" else param.opts[0]
        return f"{where}：{exc.message}"
    return exc.format_message()


def show_usage_error(exc) -> None:
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(f"用法：{ctx.command_path} {_usage_pieces(ctx.command, ctx)}"
                     + (" 命令 [参数]…" if isinstance(ctx.command, TyperGroup) else ""))
        lines.append(f"（用 {ctx.command_path} --help 查看说明）")
    lines.append(f"错误：{usage_error_text(exc)}")
    sys.stderr.write("\n".join(lines) + "\n")


class _ChineseMain:
    """``main`` that shows usage errors in Chinese and exits with click's codes."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as exc:
            sys.stdout.write(exc.ctx.get_help() + "\n")
            code = exc.exit_code
        except click_errors.UsageError as exc:
            show_usage_error(exc)
            code = exc.exit_code
        except click_errors.ClickException as exc:
            sys.stderr.write(f"错误：{exc.format_message()}\n")
            code = exc.exit_code
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


class ChineseCommand(_ChineseMain, TyperCommand):
    """A command whose help page and usage errors are Chinese."""

    def format_help(self, ctx, formatter) -> None:
        _write_help(self, ctx, formatter, _usage_pieces(self, ctx))

    def invoke(self, ctx):
        """Run the command; first remove any unencrypted workbook a killed run of an older version left beside the
        workbook it names (its folder and the folders in it)."""
        book = ctx.params.get("book")
        if book is not None:
            from pathlib import Path

            from zoufang.files.safe_io import remove_plaintext_leftovers
            remove_plaintext_leftovers(Path(book).parent)
        return super().invoke(ctx)

    def parse_args(self, ctx, args):
        ctx.allow_extra_args = True  # extra arguments are refused below, in Chinese
        try:
            rest = super().parse_args(ctx, args)
        except click_errors.UsageError as exc:
            exc.ctx = exc.ctx or ctx  # the parser's own errors come without their command
            raise
        if rest and not ctx.resilient_parsing:
            ctx.fail(f"多余的参数：{' '.join(rest)}")
        return rest


class ChineseGroup(_ChineseMain, TyperGroup):
    """The ``zoufang`` group: Chinese help, usage errors and command suggestions."""

    def format_help(self, ctx, formatter) -> None:
        commands = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                commands.append((name, (cmd.help or "").strip().splitlines()[0] if cmd.help else ""))
        _write_help(self, ctx, formatter, _usage_pieces(self, ctx) + " 命令 [参数]…", commands)

    def resolve_command(self, ctx, args):
        name = args[0]
        cmd = self.get_command(ctx, name)
        if cmd is None and not ctx.resilient_parsing:
            if name.startswith("-"):
                self.parse_args(ctx, args)  # an unknown option: its own error
            near = difflib.get_close_matches(name, list(self.commands))
            ctx.fail(f"没有命令“{name}”" + (f"，是不是 {'、'.join(near)}？" if near else "（zoufang --help 列出全部命令）"))
        return (name if cmd else None), cmd, args[1:]
