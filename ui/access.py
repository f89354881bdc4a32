"""Who may change the library: administrators, by password; every write is audited.

Reading and chatting are open (or behind RAG_AUTH). Upload and remove need an administrator:
RAG_ADMIN_PASSWORD (user "admin"), or RAG_ADMIN_USERS, a file of "user:pbkdf2_sha256$iter$salt$hash"
lines. Passwords are compared in constant time; after 5 failures within a minute from one client
each further try waits longer (2, 4, 8 … up to 300 s) and is refused unchecked meanwhile.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from core.errors import RagError
from core.settings import Settings

ADMIN_USER = "admin"
FREE_FAILURES = 5
WINDOW_S = 60.0
MAX_DELAY_S = 300.0
PBKDF2_ITERATIONS = 310_000
ENABLE_HINT = ("Trang đang ở chế độ chỉ đọc. Để bật tải lên và gỡ văn bản, đặt RAG_ADMIN_PASSWORD (hoặc "
               "RAG_ADMIN_USERS, tệp tạo bằng `python app.py passwd TÊN`) rồi khởi động lại. / Read-only: set "
               "RAG_ADMIN_PASSWORD to enable uploads.")


class AccessDenied(RagError):
    """A write refused: no administrator configured, wrong password, too many tries, expired session."""


@dataclass(frozen=True)
class Session:
    token: str
    user: str
    expires: float


def hash_password(password: str, salt: bytes | None = None, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        assert scheme == "pbkdf2_sha256"
        expected = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    except (ValueError, AssertionError):
        return False
    return hmac.compare_digest(expected.hex(), digest)


def read_users_file(path: Path) -> dict[str, str]:
    users = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            user, stored = line.split(":", 1)
            users[user.strip()] = stored.strip()
    return users


def parse_auth(value: str) -> list[tuple[str, str]]:
    """RAG_AUTH="user:password,user2:password2" as Gradio's launch(auth=...) takes it."""
    pairs = [item.split(":", 1) for item in value.split(",") if item.strip()]
    if any(len(p) != 2 or not p[0].strip() or not p[1] for p in pairs):
        raise RagError("RAG_AUTH phải có dạng user:password,user2:password2 / "
                       "RAG_AUTH must look like user:password,...")
    return [(u.strip(), p) for u, p in pairs]


class AdminGate:
    def __init__(self, settings: Settings, audit_path: Path | None = None, clock=time.monotonic):
        self._users: dict[str, str] = {}
        if settings.admin_users_file:
            self._users.update(read_users_file(settings.admin_users_file))
        if settings.admin_password:
            self._users[ADMIN_USER] = hash_password(settings.admin_password, iterations=50_000)
        self.session_s = settings.admin_session_minutes * 60
        self.audit_path = audit_path or Path(settings.data_dir) / "audit.jsonl"
        self._clock = clock
        self._failures: dict[str, deque] = defaultdict(lambda: deque(maxlen=64))
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self._users)

    # ---- passwords -------------------------------------------------------------------------
    def check(self, password: str, client: str, user: str | None = None) -> str:
        """The administrator these credentials name, or AccessDenied (and one more failure counted).
        Without a user name, any administrator's password is accepted (the API's single password)."""
        if not self.configured:
            raise AccessDenied(ENABLE_HINT)
        wait = self._wait(client)
        if wait > 0:
            raise AccessDenied(f"Quá nhiều lần đăng nhập sai: thử lại sau {wait:.0f} giây / "
                               f"too many failed logins, retry in {wait:.0f} s")
        candidates = [user] if user else list(self._users)
        found = None
        for name in candidates:  # every candidate is checked, so timing does not tell which matched
            if _matches(password or "", self._users.get(name, "pbkdf2_sha256$1$00$00")) and found is None:
                found = name
        if found is None:
            self._fail(client)
            self.audit(user or "?", client, "login_failed")
            raise AccessDenied("Sai mật khẩu quản trị / wrong administrator password")
        with self._lock:
            self._failures.pop(client, None)
        return found

    def _wait(self, client: str) -> float:
        """Seconds this client must still wait. A streak of failures ends after a quiet minute
        (beyond any delay it earned); from the 5th failure on, each costs twice the wait."""
        with self._lock:
            streak = self._failures.get(client)
            if not streak:
                return 0.0
            now, count = self._clock(), len(streak)
            delay = min(2.0 ** (count - FREE_FAILURES + 1), MAX_DELAY_S) if count >= FREE_FAILURES else 0.0
            if now - streak[-1] > delay + WINDOW_S:
                del self._failures[client]
                return 0.0
            return max(0.0, streak[-1] + delay - now)

    def _fail(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(self._clock())

    # ---- sessions ---------------------------------------------------------------------------
    def login(self, user: str, password: str, client: str) -> Session:
        name = self.check(password, client, (user or "").strip() or None)
        session = Session(secrets.token_urlsafe(24), name, self._clock() + self.session_s)
        with self._lock:
            self._sessions[session.token] = session
        self.audit(name, client, "login")
        return session

    def session_user(self, token: str | None) -> str:
        """The administrator of a live session, or AccessDenied."""
        with self._lock:
            session = self._sessions.get(token or "")
            if session is not None and session.expires < self._clock():
                del self._sessions[session.token]
                session = None
        if session is None:
            raise AccessDenied("Phiên quản trị đã hết hạn hoặc chưa đăng nhập: hãy đăng nhập lại / "
                               "administrator session expired or missing: log in again")
        return session.user

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    # ---- audit ------------------------------------------------------------------------------
    def audit(self, user: str, client: str, action: str, document: str = "", sha256: str = "",
              status: str = "") -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "user": user, "client": client, "action": action,
                 "document": document, "sha256": sha256, "status": status}
        self.audit_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.audit_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def audit_entries(self, limit: int = 200) -> list[dict]:
        if not self.audit_path.exists():
            return []
        lines = self.audit_path.read_text(encoding="utf-8").splitlines()[-limit:]
        return [json.loads(line) for line in reversed(lines) if line.strip()]
