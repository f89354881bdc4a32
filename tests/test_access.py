"""Administrator access: constant-time password checks, rate limiting, sessions, audit log."""
import pytest

from core.settings import Settings
from ui.access import AccessDenied, AdminGate, hash_password, parse_auth


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def gate(tmp_path):
    clock = Clock()
    gate = AdminGate(Settings(data_dir=tmp_path, admin_password="đúng-mật-khẩu", admin_session_minutes=30),
                     clock=clock)
    gate.clock = clock
    return gate


def test_without_an_administrator_every_write_is_refused_with_how_to_enable(tmp_path):
    gate = AdminGate(Settings(data_dir=tmp_path))
    assert not gate.configured
    with pytest.raises(AccessDenied, match="RAG_ADMIN_PASSWORD"):
        gate.check("anything", "1.2.3.4")


def test_password_checks_and_audit(gate):
    assert gate.check("đúng-mật-khẩu", "1.2.3.4") == "admin"
    for wrong in ("", "sai", "đúng-mật-khẩu "):
        with pytest.raises(AccessDenied, match="Sai mật khẩu"):
            gate.check(wrong, "1.2.3.4")
    actions = [e["action"] for e in gate.audit_entries()]
    assert actions == ["login_failed"] * 3


def test_failures_are_delayed_after_five_in_a_minute(gate):
    for _ in range(5):
        with pytest.raises(AccessDenied, match="Sai"):
            gate.check("sai", "10.0.0.9")
    # the 6th try comes too soon: refused without checking, even with the right password
    with pytest.raises(AccessDenied, match="thử lại sau 2 giây"):
        gate.check("đúng-mật-khẩu", "10.0.0.9")
    assert gate.check("đúng-mật-khẩu", "10.0.0.8") == "admin"  # another client is not affected
    gate.clock.now += 2.5
    with pytest.raises(AccessDenied, match="Sai"):
        gate.check("sai", "10.0.0.9")
    with pytest.raises(AccessDenied, match="thử lại sau 4 giây"):  # each further failure doubles the wait
        gate.check("đúng-mật-khẩu", "10.0.0.9")
    gate.clock.now += 4.5
    assert gate.check("đúng-mật-khẩu", "10.0.0.9") == "admin"
    with pytest.raises(AccessDenied, match="Sai"):  # a success ends the streak
        gate.check("sai", "10.0.0.9")


def test_sessions_expire_and_log_out(gate):
    session = gate.login("admin", "đúng-mật-khẩu", "1.2.3.4")
    assert gate.session_user(session.token) == "admin"
    gate.clock.now += 29 * 60
    assert gate.session_user(session.token) == "admin"
    gate.clock.now += 2 * 60
    with pytest.raises(AccessDenied, match="hết hạn"):
        gate.session_user(session.token)
    other = gate.login("", "đúng-mật-khẩu", "1.2.3.4")
    gate.logout(other.token)
    with pytest.raises(AccessDenied):
        gate.session_user(other.token)
    with pytest.raises(AccessDenied):
        gate.session_user(None)


def test_users_file_of_hashed_passwords(tmp_path):
    users = tmp_path / "admins.txt"
    users.write_text(f"# văn thư\nvanthu:{hash_password('mat-khau-van-thu', iterations=1000)}\n", encoding="utf-8")
    gate = AdminGate(Settings(data_dir=tmp_path, admin_users_file=users))
    assert "mat-khau-van-thu" not in users.read_text()
    assert gate.login("vanthu", "mat-khau-van-thu", "x").user == "vanthu"
    with pytest.raises(AccessDenied):
        gate.login("admin", "mat-khau-van-thu", "x")


def test_secrets_stay_out_of_settings_repr():
    settings = Settings.from_env({"RAG_ADMIN_PASSWORD": "bi-mat-123", "RAG_AUTH": "a:bi-mat-456"})
    assert settings.admin_password == "bi-mat-123"
    assert "bi-mat" not in repr(settings)


def test_rag_auth_pairs():
    assert parse_auth("an:mk1, binh:mk:2") == [("an", "mk1"), ("binh", "mk:2")]
    with pytest.raises(Exception, match="RAG_AUTH"):
        parse_auth("chi-ten")
