"""Who may use the page: this computer's browser, holding the token ``serve`` printed.

Every request must name this server as its Host (127.0.0.1 or localhost, with the port), so that
no rebound DNS name reaches it; a request whose Origin (or Sec-Fetch-Site) says another site is
refused, so no web page the clerk visits can act on the master. The token comes once in the URL
(``/?token=…``), is kept in a same-site cookie for pages and downloads, and every POST must carry it
in the ``X-Zoufang-Token`` header, which only the page's own script sets.
"""
from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote, urlencode

TOKEN_HEADER = "x-zoufang-token"
COOKIE = "zoufang_token"
LOCAL_NAMES = ("127.0.0.1", "localhost")
SAFE_METHODS = ("GET", "HEAD")


def allowed_hosts(port: int) -> set[str]:
    return {f"{name}:{port}" for name in LOCAL_NAMES}


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


class Refusal(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status, self.text = status, text


def judge(scope, token: str, hosts: set[str]) -> str | None:
    """Raise Refusal for a request that may not be served; return the URL to redirect to after the token was
    taken from the query (the cookie then carries it), or None."""
    headers = _headers(scope)
    if headers.get("host", "").lower() not in hosts:
        raise Refusal(403, "拒绝访问：请求的主机名不是本机（请用命令行打印的 http://127.0.0.1 地址打开）")
    origin = headers.get("origin")
    if origin is not None and origin.lower().removeprefix("http://") not in hosts:
        raise Refusal(403, "拒绝访问：请求来自其他网站")
    if headers.get("sec-fetch-site") == "cross-site":
        raise Refusal(403, "拒绝访问：请求来自其他网站")
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    cookie = SimpleCookie(headers.get("cookie", ""))
    from_cookie = cookie[COOKIE].value if COOKIE in cookie else ""
    if scope["method"] not in SAFE_METHODS:
        if not _same(headers.get(TOKEN_HEADER, ""), token):
            raise Refusal(403, "拒绝操作：缺少或错误的令牌（请从命令行打印的地址重新打开本页面）")
        return None
    if _same(query.get("token", [""])[0], token):
        rest = {k: v for k, v in query.items() if k != "token"}
        return quote(scope["path"]) + ("?" + urlencode(rest, doseq=True) if rest else "")
    if scope["path"].startswith("/static/"):
        return None
    if not (_same(from_cookie, token) or _same(headers.get(TOKEN_HEADER, ""), token)):
        raise Refusal(403, "请使用 zoufang serve 在命令行打印的完整地址（含 token）打开本页面")
    return None


class Guard:
    """ASGI middleware applying ``judge`` to every HTTP request."""

    def __init__(self, app, token: str, hosts: set[str]):
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            redirect = judge(scope, self.token, self.hosts)
        except Refusal as refusal:
            return await _plain(send, refusal.status, refusal.text)
        if redirect is not None:
            cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            return await _plain(send, 303, "", [(b"location", redirect.encode()), (b"set-cookie", cookie.encode())])
        return await self.app(scope, receive, _with_security_headers(send, scope["path"]))


SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


def _with_security_headers(send, path: str):
    """``send`` adding the page's security headers to every response; the API's answers (names, addresses) are
    never stored by the browser."""
    async def sending(message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
            if path.startswith("/api/") and b"cache-control" not in names:
                extra.append((b"cache-control", b"no-store"))
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)
    return sending


async def _plain(send, status: int, text: str, extra: list | None = None) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *SECURITY_HEADERS, *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
