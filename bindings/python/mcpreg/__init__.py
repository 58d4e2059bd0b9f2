"""mcpreg for Python: the C API (libmcpreg_c.so) through ctypes. Standard library only, no build step.

    import mcpreg
    with mcpreg.Engine(seed_file="registry-seed.json") as engine:
        url = engine.listen()
        with mcpreg.Client(url) as client:
            for server in client.servers(latest_only=True):
                print(server.name, server.version)

The library is found through $MCPREG_C_LIBRARY, else the system's loader (libmcpreg_c.so).
Errors raise mcpreg.Error, which carries the C status code, HTTP status and the registry's own message.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Iterator, Optional, Sequence

__all__ = ["Error", "MissingInputs", "Server", "Validation", "Client", "Engine", "Catalog", "Resolution", "version",
           "validate", "ITEROVER"]

OK = 0
EINPUTS = -11
ITEROVER = -100
_CONFIG_FORMATS = {"vscode": 0, "claude": 1, "cursor": 2, "generic": 3}


def _load() -> ctypes.CDLL:
    path = os.environ.get("MCPREG_C_LIBRARY") or ctypes.util.find_library("mcpreg_c") or "libmcpreg_c.so"
    return ctypes.CDLL(path)


_lib = _load()
_p = ctypes.c_void_p
_s = ctypes.c_char_p
_int = ctypes.c_int
_size = ctypes.c_size_t


def _declare(name, restype, *argtypes):
    function = getattr(_lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


class _ClientOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("base_url", _s), ("bearer_token", _s), ("timeout_ms", ctypes.c_long),
                ("cache_path", _s), ("offline", _int)]


class _ListOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("search", _s), ("updated_since", _s), ("latest_only", _int),
                ("include_deleted", _int), ("page_size", _int), ("cursor", _s)]


class _EngineOptions(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("database", _s), ("seed_file", _s), ("anonymous_auth", _int)]


_P = ctypes.POINTER
_declare("mcpreg_version", None, _P(_int), _P(_int), _P(_int))
_declare("mcpreg_version_string", _s)
_declare("mcpreg_error_code", _int, _p)
_declare("mcpreg_error_http_status", _int, _p)
_declare("mcpreg_error_message", _s, _p)
_declare("mcpreg_error_server_message", _s, _p)
_declare("mcpreg_error_free", None, _p)
_declare("mcpreg_string_free", None, _p)
_declare("mcpreg_server_parse", _int, _P(_p), _s, _size, _P(_p))
_declare("mcpreg_server_free", None, _p)
_declare("mcpreg_server_clone", _int, _P(_p), _p, _P(_p))
for _field in ("name", "version", "description", "title", "status"):
    _declare("mcpreg_server_" + _field, _s, _p)
_declare("mcpreg_server_is_latest", _int, _p)
_declare("mcpreg_server_to_json", _int, _P(_p), _p, _P(_p))
_declare("mcpreg_validate", _int, _P(_p), _s, _size, _P(_p))
_declare("mcpreg_validation_free", None, _p)
_declare("mcpreg_validation_valid", _int, _p)
_declare("mcpreg_validation_issue_count", _size, _p)
for _field in ("path", "rule", "message", "severity"):
    _declare("mcpreg_validation_issue_" + _field, _s, _p, _size)
_declare("mcpreg_client_new", _int, _P(_p), _P(_ClientOptions), _P(_p))
_declare("mcpreg_client_free", None, _p)
_declare("mcpreg_client_get_server", _int, _P(_p), _p, _s, _s, _P(_p))
_declare("mcpreg_client_list_servers", _int, _P(_p), _p, _P(_ListOptions), _P(_p))
_declare("mcpreg_client_list_versions", _int, _P(_p), _p, _s, _P(_p))
_declare("mcpreg_server_iter_next", _int, _P(_p), _p, _P(_p))
_declare("mcpreg_server_iter_cursor", _s, _p)
_declare("mcpreg_server_iter_free", None, _p)
_declare("mcpreg_client_login", _int, _P(_p), _p, _s, _s, _P(_p))
_declare("mcpreg_client_publish", _int, _P(_p), _p, _p, _s, _P(_p))
_declare("mcpreg_client_set_status", _int, _p, _s, _s, _s, _s, _s, _P(_p))
_declare("mcpreg_catalog_open", _int, _P(_p), _s, _P(_p))
_declare("mcpreg_catalog_free", None, _p)
_declare("mcpreg_catalog_sync", _int, _p, _p, _P(_size), _P(_size), _P(_size), _P(_size), _P(_p))
_declare("mcpreg_catalog_size", _int, _P(_size), _p, _P(_p))
_declare("mcpreg_catalog_search", _int, _P(_p), _p, _s, _int, _P(_p))
_declare("mcpreg_resolve", _int, _P(_p), _p, _s, _P(_s), _size, _P(_p))
_declare("mcpreg_resolution_free", None, _p)
_declare("mcpreg_resolution_transport", _s, _p)
_declare("mcpreg_resolution_command", _s, _p)
_declare("mcpreg_resolution_url", _s, _p)
for _field in ("arg_count", "env_count", "missing_count"):
    _declare("mcpreg_resolution_" + _field, _size, _p)
for _field in ("arg", "env_name", "env_value", "missing_name", "missing_used_in", "missing_problem"):
    _declare("mcpreg_resolution_" + _field, _s, _p, _size)
_declare("mcpreg_resolution_env_is_secret", _int, _p, _size)
_declare("mcpreg_resolution_missing_is_secret", _int, _p, _size)
_declare("mcpreg_resolution_config", _int, _P(_p), _p, _s, _int, _P(_p))
_declare("mcpreg_engine_open", _int, _P(_p), _P(_EngineOptions), _P(_p))
_declare("mcpreg_engine_free", None, _p)
_declare("mcpreg_engine_listen", _int, _p, _s, ctypes.c_ushort, _P(ctypes.c_ushort), _P(_p))
_declare("mcpreg_engine_stop", None, _p)
_declare("mcpreg_engine_handle", _int, _p, _s, _s, _s, _P(_int), _P(_p), _P(_p))
_declare("mcpreg_engine_size", _int, _P(_size), _p, _P(_p))


class Error(Exception):
    """A failed call: `code` (the C status), `http_status` (0 when none), `server_message` (untrusted)."""

    def __init__(self, code: int, message: str, http_status: int = 0, server_message: str = ""):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.server_message = server_message


class MissingInputs(Error):
    """Resolution needs inputs: `missing` lists dicts with name, used_in, problem and is_secret."""

    def __init__(self, missing: list):
        names = ", ".join(m["name"] for m in missing)
        super().__init__(EINPUTS, f"inputs missing: {names}")
        self.missing = missing


def _text(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8")


def _encode(value: Optional[str]) -> Optional[bytes]:
    return None if value is None else value.encode("utf-8")


def _check(status: int, err: ctypes.c_void_p) -> None:
    if status == OK:
        return
    try:
        if err:
            raise Error(_lib.mcpreg_error_code(err), _text(_lib.mcpreg_error_message(err)) or "",
                        _lib.mcpreg_error_http_status(err), _text(_lib.mcpreg_error_server_message(err)) or "")
        raise Error(status, f"mcpreg call failed with status {status}")
    finally:
        _lib.mcpreg_error_free(err)


def _owned_string(pointer: ctypes.c_void_p) -> str:
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        _lib.mcpreg_string_free(pointer)


class _Handle:
    """Owns a C handle: freed by close(), by `with`, or when collected."""

    _free = None  # the C function that releases the handle

    def close(self):
        if getattr(self, "_handle", None):
            type(self)._free(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def version() -> str:
    return _text(_lib.mcpreg_version_string()) or ""


class Server:
    """A server.json document or registry entry. `Server.parse(json_text)` or from a Client."""

    def __init__(self, handle: ctypes.c_void_p, owned: bool = True, keep_alive=None):
        self._handle = handle
        self._owned = owned
        self._keep_alive = keep_alive  # the iterator a borrowed entry lives in

    @classmethod
    def parse(cls, json_text: str) -> "Server":
        data = json_text.encode("utf-8")
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_server_parse(ctypes.byref(out), data, len(data), ctypes.byref(err)), err)
        return cls(out)

    def __del__(self):
        if getattr(self, "_owned", False) and self._handle:
            _lib.mcpreg_server_free(self._handle)
            self._handle = None

    name = property(lambda self: _text(_lib.mcpreg_server_name(self._handle)))
    version = property(lambda self: _text(_lib.mcpreg_server_version(self._handle)))
    description = property(lambda self: _text(_lib.mcpreg_server_description(self._handle)))
    title = property(lambda self: _text(_lib.mcpreg_server_title(self._handle)))
    status = property(lambda self: _text(_lib.mcpreg_server_status(self._handle)))
    is_latest = property(lambda self: bool(_lib.mcpreg_server_is_latest(self._handle)))

    def to_json(self) -> str:
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_server_to_json(ctypes.byref(out), self._handle, ctypes.byref(err)), err)
        return _owned_string(out)

    def copy(self) -> "Server":
        """An owned copy, registry metadata included (entries from an iterator are borrowed until it advances)."""
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_server_clone(ctypes.byref(out), self._handle, ctypes.byref(err)), err)
        return Server(out)

    def resolve(self, selection: Optional[str] = None, inputs: Optional[dict] = None) -> "Resolution":
        """The launch spec. `inputs` maps names to a value or a list of values. Raises MissingInputs."""
        pairs = []
        for key, value in (inputs or {}).items():
            for item in (value if isinstance(value, (list, tuple)) else [value]):
                pairs.append(f"{key}={item}".encode("utf-8"))
        array = (_s * len(pairs))(*pairs)
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        status = _lib.mcpreg_resolve(ctypes.byref(out), self._handle, _encode(selection), array, len(pairs),
                                     ctypes.byref(err))
        if status == EINPUTS:
            _lib.mcpreg_error_free(err)
            resolution = Resolution(out, self.name)
            raise MissingInputs(resolution.missing)
        _check(status, err)
        return Resolution(out, self.name)

    def __repr__(self):
        return f"Server({self.name}@{self.version})"


class Validation:
    def __init__(self, handle):
        self._handle = handle

    def __del__(self):
        if getattr(self, "_handle", None):
            _lib.mcpreg_validation_free(self._handle)

    @property
    def valid(self) -> bool:
        return bool(_lib.mcpreg_validation_valid(self._handle))

    @property
    def issues(self) -> list:
        count = _lib.mcpreg_validation_issue_count(self._handle)
        return [{field: _text(getattr(_lib, "mcpreg_validation_issue_" + field)(self._handle, i))
                 for field in ("path", "rule", "message", "severity")} for i in range(count)]


def validate(json_text: str) -> Validation:
    """Validates a server.json as the official registry does."""
    data = json_text.encode("utf-8")
    out, err = ctypes.c_void_p(), ctypes.c_void_p()
    _check(_lib.mcpreg_validate(ctypes.byref(out), data, len(data), ctypes.byref(err)), err)
    return Validation(out)


class Resolution:
    def __init__(self, handle, server_name: str):
        self._handle = handle
        self._server_name = server_name

    def __del__(self):
        if getattr(self, "_handle", None):
            _lib.mcpreg_resolution_free(self._handle)

    transport = property(lambda self: _text(_lib.mcpreg_resolution_transport(self._handle)))
    url = property(lambda self: _text(_lib.mcpreg_resolution_url(self._handle)))

    @property
    def argv(self) -> list:
        command = _text(_lib.mcpreg_resolution_command(self._handle))
        if command is None:
            return []
        count = _lib.mcpreg_resolution_arg_count(self._handle)
        return [command] + [_text(_lib.mcpreg_resolution_arg(self._handle, i)) for i in range(count)]

    @property
    def env(self) -> dict:
        count = _lib.mcpreg_resolution_env_count(self._handle)
        return {_text(_lib.mcpreg_resolution_env_name(self._handle, i)):
                _text(_lib.mcpreg_resolution_env_value(self._handle, i)) for i in range(count)}

    @property
    def secret_env(self) -> set:
        count = _lib.mcpreg_resolution_env_count(self._handle)
        return {_text(_lib.mcpreg_resolution_env_name(self._handle, i)) for i in range(count)
                if _lib.mcpreg_resolution_env_is_secret(self._handle, i)}

    @property
    def missing(self) -> list:
        count = _lib.mcpreg_resolution_missing_count(self._handle)
        return [{"name": _text(_lib.mcpreg_resolution_missing_name(self._handle, i)),
                 "used_in": _text(_lib.mcpreg_resolution_missing_used_in(self._handle, i)),
                 "problem": _text(_lib.mcpreg_resolution_missing_problem(self._handle, i)),
                 "is_secret": bool(_lib.mcpreg_resolution_missing_is_secret(self._handle, i))}
                for i in range(count)]

    def config(self, format: str = "vscode") -> str:
        """A client configuration as JSON text: vscode, claude, cursor or generic. Secrets never included:
        prompts (vscode), ${env:NAME} (cursor), <NAME> placeholders to replace by hand (claude), masks (generic).
        Raises Error when the entry holds text the client would expand (${...}) or an invalid name."""
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_resolution_config(ctypes.byref(out), self._handle, self._server_name.encode("utf-8"),
                                             _CONFIG_FORMATS[format], ctypes.byref(err)), err)
        return _owned_string(out)


class _Entries:
    """Iterates an mcpreg_server_iter; yields owned Server copies so they outlive the page."""

    def __init__(self, handle):
        self._handle = handle

    def __iter__(self) -> Iterator[Server]:
        try:
            while True:
                item, err = ctypes.c_void_p(), ctypes.c_void_p()
                status = _lib.mcpreg_server_iter_next(ctypes.byref(item), self._handle, ctypes.byref(err))
                if status == ITEROVER:
                    return
                _check(status, err)
                yield Server(item, owned=False, keep_alive=self).copy()
        finally:
            self.close()

    @property
    def cursor(self) -> Optional[str]:
        return _text(_lib.mcpreg_server_iter_cursor(self._handle)) if self._handle else None

    def close(self):
        if self._handle:
            _lib.mcpreg_server_iter_free(self._handle)
            self._handle = None

    def __del__(self):
        self.close()


class Client(_Handle):
    """A blocking registry client. Usable as a context manager."""

    _free = _lib.mcpreg_client_free

    def __init__(self, base_url: Optional[str] = None, bearer_token: Optional[str] = None, timeout_ms: int = 0,
                 cache_path: Optional[str] = None, offline: bool = False):
        options = _ClientOptions(1, _encode(base_url), _encode(bearer_token), timeout_ms, _encode(cache_path),
                                 int(offline))
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_client_new(ctypes.byref(out), ctypes.byref(options), ctypes.byref(err)), err)
        self._handle = out

    def get(self, name: str, version: str = "latest") -> Server:
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_client_get_server(ctypes.byref(out), self._handle, _encode(name), _encode(version),
                                             ctypes.byref(err)), err)
        return Server(out)

    def servers(self, search: Optional[str] = None, latest_only: bool = False, include_deleted: bool = False,
                updated_since: Optional[str] = None, page_size: int = 0, cursor: Optional[str] = None):
        """Every matching entry, fetched page by page as you iterate."""
        options = _ListOptions(1, _encode(search), _encode(updated_since), int(latest_only), int(include_deleted),
                               page_size, _encode(cursor))
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_client_list_servers(ctypes.byref(out), self._handle, ctypes.byref(options),
                                               ctypes.byref(err)), err)
        return _Entries(out)

    def login(self, method: str = "none", body: Optional[str] = None) -> str:
        """A registry token for `method` (none, admin, dns, http, github-at, github-oidc) and its JSON body."""
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_client_login(ctypes.byref(out), self._handle, method.encode(), _encode(body),
                                        ctypes.byref(err)), err)
        return _owned_string(out)

    def publish(self, server: Server, token: str) -> Server:
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_client_publish(ctypes.byref(out), self._handle, server._handle, token.encode(),
                                          ctypes.byref(err)), err)
        return Server(out)

    def set_status(self, name: str, status: str, token: str, version: Optional[str] = None,
                   message: Optional[str] = None) -> None:
        """One version's status, or every version's when `version` is None."""
        err = ctypes.c_void_p()
        _check(_lib.mcpreg_client_set_status(self._handle, name.encode(), _encode(version), status.encode(),
                                             _encode(message), token.encode(), ctypes.byref(err)), err)

    def versions(self, name: str):
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_client_list_versions(ctypes.byref(out), self._handle, _encode(name), ctypes.byref(err)),
               err)
        return _Entries(out)


class Engine(_Handle):
    """A registry hosted in this process: `handle()` in-process, or `listen()` for HTTP on 127.0.0.1."""

    _free = _lib.mcpreg_engine_free

    def __init__(self, database: Optional[str] = None, seed_file: Optional[str] = None, anonymous_auth: bool = False):
        options = _EngineOptions(1, _encode(database), _encode(seed_file), int(anonymous_auth))
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_engine_open(ctypes.byref(out), ctypes.byref(options), ctypes.byref(err)), err)
        self._handle = out

    def listen(self, host: str = "127.0.0.1", port: int = 0) -> str:
        bound, err = ctypes.c_ushort(), ctypes.c_void_p()
        _check(_lib.mcpreg_engine_listen(self._handle, host.encode(), port, ctypes.byref(bound), ctypes.byref(err)),
               err)
        return f"http://{host}:{bound.value}"

    def stop(self):
        if self._handle:
            _lib.mcpreg_engine_stop(self._handle)

    def handle(self, method: str, target: str, body: Optional[str] = None):
        """(status, body text) of one request answered in-process."""
        status, out, err = _int(), ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_engine_handle(self._handle, method.encode(), target.encode(), _encode(body),
                                         ctypes.byref(status), ctypes.byref(out), ctypes.byref(err)), err)
        return status.value, _owned_string(out)

    def __len__(self) -> int:
        size, err = _size(), ctypes.c_void_p()
        _check(_lib.mcpreg_engine_size(ctypes.byref(size), self._handle, ctypes.byref(err)), err)
        return size.value


class Catalog(_Handle):
    """An offline mirror of registries (SQLite): `sync(client)`, then `search(text)` without the network."""

    _free = _lib.mcpreg_catalog_free

    def __init__(self, path: Optional[str] = None):
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_catalog_open(ctypes.byref(out), _encode(path), ctypes.byref(err)), err)
        self._handle = out

    def sync(self, client: Client) -> dict:
        counts = [_size() for _ in range(4)]
        err = ctypes.c_void_p()
        _check(_lib.mcpreg_catalog_sync(self._handle, client._handle, *[ctypes.byref(c) for c in counts],
                                        ctypes.byref(err)), err)
        return dict(zip(("fetched", "added", "updated", "deleted"), (c.value for c in counts)))

    def __len__(self) -> int:
        size, err = _size(), ctypes.c_void_p()
        _check(_lib.mcpreg_catalog_size(ctypes.byref(size), self._handle, ctypes.byref(err)), err)
        return size.value

    def search(self, text: str, limit: int = 20) -> list:
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        _check(_lib.mcpreg_catalog_search(ctypes.byref(out), self._handle, text.encode(), limit, ctypes.byref(err)),
               err)
        return list(_Entries(out))
