"""``check`` and ``discover`` answer with messages a district IT person can act on: wrong host, wrong
credentials, missing database, missing privileges, unknown schema version, empty or unknown school —
each a distinct message key, on real servers through ODBC (and FreeTDS, the SQL Server driver, against a
closed port). The password never appears in a message."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from connector.cli import cli
from connector.errors import EXIT_USAGE, SourceError
from connector.testing.servers import FREETDS_DRIVER, free_port

from hocba_smas.plugin import SmasSource
from smas_data import EMPTY_SCHOOL, PRIMARY_SCHOOL, SECONDARY_SCHOOL, every_field_records

PASSWORD = "mat-khau;bi{mat}"


def check(config: dict):
    source = SmasSource(config)
    try:
        return source.check()
    finally:
        source.close()


def rendered(result) -> str:
    return result.message("vi") + "\n" + result.message("en")


def assert_refused(result, key: str, *, names: tuple[str, ...] = ()) -> None:
    assert not result.ok and result.key == key, (result.key, result.fields)
    text_ = rendered(result)
    for name in names:
        assert name in text_
    assert PASSWORD not in text_ and "{mat}" not in text_


def test_check_says_what_it_read(tenant):
    result = check(tenant.config())
    assert result.ok and result.key == "sql_check_ok"
    assert result.fields["schema"] == "smas-modelled-1"
    assert "MODELLED from public information, not vendor-official" in rendered(result)
    assert result.fields["schools"] == 3  # the empty school has no student-year
    assert result.fields["records"] == len(tenant.expected)


def test_discover_lists_schools_years_and_classes_with_their_students(tenant):
    source = SmasSource(tenant.config())
    try:
        schools = {s.ma_truong: s for s in source.discover()}
    finally:
        source.close()
    assert set(schools) == {SECONDARY_SCHOOL["ma_truong"], PRIMARY_SCHOOL["ma_truong"], every_field_records()[0].ma_truong}
    secondary = schools[SECONDARY_SCHOOL["ma_truong"]]
    assert [y.nam_hoc for y in secondary.years] == ["2022-2023", "2023-2024", "2024-2025", "2025-2026"]
    counted = sum(c.students for y in secondary.years for c in y.classes)
    assert counted == sum(1 for k in tenant.expected if k.endswith("|" + SECONDARY_SCHOOL["ma_truong"]))
    moved_class = [c for y in secondary.years for c in y.classes if c.lop.endswith("B")]
    assert len(moved_class) == 1 and moved_class[0].students == 1  # the student who changed class


def test_unreachable_server_through_the_odbc_driver(tenant):
    config = tenant.config()
    port = str(tenant.server.port)
    config["url"] = config["url"].replace(f"PORT%3D{port}", f"PORT%3D{free_port()}")
    assert port not in config["url"]
    assert_refused(check({**config, "connect_timeout": 5}), "sql_unreachable", names=("127.0.0.1",))


def test_unreachable_sql_server_through_freetds(odbc_config):
    """The production path (mssql+pyodbc built from driver/server/…) with the FreeTDS driver: a closed
    port is "cannot reach the server", at once, not a traceback."""
    port = free_port()
    result = check({"driver": FREETDS_DRIVER, "server": f"127.0.0.1,{port}", "database": "SMAS",
                    "user": "hocba_reader", "password": PASSWORD, "encrypt": False, "connect_timeout": 5})
    assert_refused(result, "sql_unreachable", names=(f"127.0.0.1:{port}",))
    with pytest.raises(SourceError) as raised:
        list(SmasSource({"driver": FREETDS_DRIVER, "server": f"127.0.0.1,{port}", "database": "SMAS",
                         "user": "hocba_reader", "password": PASSWORD}).extract())
    assert raised.value.key == "sql_unreachable"


def test_wrong_password(tenant):
    assert_refused(check({**tenant.config(), "password": PASSWORD}), "sql_login_failed",
                   names=(tenant.reader[0],))


#: MariaDB does not tell a login whether a database it may not use exists (error 1044, access denied).
UNKNOWN_DATABASE = {"mariadb": "sql_database_denied", "postgresql": "sql_database_not_found"}


def test_unknown_database(tenant):
    config = tenant.config()
    config["url"] = config["url"].replace(f"DATABASE%3D{tenant.database}", "DATABASE%3Dkhong_co")
    assert_refused(check(config), UNKNOWN_DATABASE[tenant.server.kind], names=("khong_co",))


def test_missing_privileges_name_a_table(tenant, request):
    """A login that may connect but not read the SMAS tables (a GRANT forgotten)."""
    server, user = tenant.server, f"{tenant.database}_np"
    if server.kind == "mariadb":
        server.admin(f"CREATE USER `{user}`@'%' IDENTIFIED BY 'np-pass';"
                     f" GRANT SELECT ON `{tenant.database}`.`Truong` TO `{user}`@'%'")
    else:
        server.admin(f'CREATE ROLE "{user}" LOGIN PASSWORD \'np-pass\'; '
                     f'GRANT CONNECT ON DATABASE "{tenant.database}" TO "{user}"')
        server.admin(f'GRANT USAGE ON SCHEMA dbo TO "{user}"; GRANT SELECT ON dbo."Truong" TO "{user}"',
                     tenant.database)
    request.addfinalizer(lambda: server.drop_user(user, tenant.database))
    config = {"url": server.url(user, None, tenant.database, driver="pyodbc"), "password": "np-pass"}
    result = check(config)
    assert_refused(result, "sql_no_privilege", names=(user,))
    assert result.fields["table"] not in ("-", "Truong")


#: How each dialect renames a column (DDL only the test's read-write login runs).
RENAME = {"mariadb": "ALTER TABLE DiemChiTiet RENAME COLUMN Diem TO DiemSo",
          "postgresql": 'ALTER TABLE dbo."DiemChiTiet" RENAME COLUMN "Diem" TO "DiemSo"'}
DROP = {"mariadb": "DROP TABLE DanhGiaTieuHoc", "postgresql": 'DROP TABLE dbo."DanhGiaTieuHoc"'}


@pytest.mark.parametrize("change, key, names", [
    (RENAME, "sql_schema_unknown_column", ("DiemChiTiet", "Diem", "smas-modelled-1")),
    (DROP, "sql_schema_unknown_table", ("DanhGiaTieuHoc", "smas-modelled-1")),
], ids=["renamed_column", "missing_table"])
def test_unknown_schema_version_names_table_column_and_expected_version(change, key, names, tenant, fresh_tenant):
    loaded = fresh_tenant(tenant.server.kind, every_field_records()[:1])
    engine = loaded.engine()
    with engine.begin() as conn:
        conn.execute(text(change[tenant.server.kind]))
    engine.dispose()
    assert_refused(check(loaded.config()), key, names=names)
    with pytest.raises(SourceError) as raised:
        list(SmasSource(loaded.config()).extract())
    assert raised.value.key == key and raised.value.exit_code == EXIT_USAGE


def test_cli_check_exits_2_on_a_renamed_column(fresh_tenant, tmp_path, monkeypatch):
    loaded = fresh_tenant("mariadb", every_field_records()[:1])
    engine = loaded.engine()
    with engine.begin() as conn:
        conn.execute(text(RENAME["mariadb"]))
    engine.dispose()
    config = loaded.config()
    (tmp_path / "hocba.toml").write_text(
        f'[sources.smas_so]\nplugin = "smas"\nurl = "{config["url"]}"\npassword_env = "HOCBA_TEST_SMAS_PW"\n',
        encoding="utf-8")
    monkeypatch.setenv("HOCBA_TEST_SMAS_PW", config["password"])
    monkeypatch.setenv("HOCBA_LOAD_PLUGINS", "smas")
    result = CliRunner().invoke(cli, ["check", "--source", "smas_so", "--config", str(tmp_path / "hocba.toml"),
                                      "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "DiemChiTiet" in result.output and "Diem" in result.output and "smas-modelled-1" in result.output


def test_empty_school_and_unknown_school_are_told_apart(tenant):
    assert_refused(check({**tenant.config(), "schools": [EMPTY_SCHOOL]}), "sql_school_empty", names=(EMPTY_SCHOOL,))
    assert_refused(check({**tenant.config(), "schools": ["79999999"]}), "sql_school_not_found", names=("79999999",))
    with pytest.raises(SourceError) as raised:
        list(SmasSource(tenant.config()).extract(school="79999999"))
    assert raised.value.key == "sql_school_not_found"
