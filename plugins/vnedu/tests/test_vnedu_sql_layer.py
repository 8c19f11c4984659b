"""The shared SQL-source layer's pieces on their own (no server): the mapping file, value normalisers,
error classification, URLs, the statements it sends."""

from __future__ import annotations

import sys
from decimal import Decimal

import pymysql
import pytest
from sqlalchemy.dialects import mssql, mysql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from connector import normalise
from connector.extract.sql import IN_LIST_MAX, _Queries, installed_driver
from connector.extract.sqlengine import classify, password_args, server_label
from connector.extract.sqlmapping import Mapping, MappingError

from hocba_vnedu.plugin import MAPPINGS, VneduSource


def mapping_text() -> str:
    return MAPPINGS[0].read_text("utf-8")


def load_variant(tmp_path, old: str, new: str) -> Mapping:
    path = tmp_path / "variant.toml"
    path.write_text(mapping_text().replace(old, new, 1), encoding="utf-8")
    return Mapping.load(path)


# --- the mapping file -----------------------------------------------------------------------------------


def test_the_vnedu_mapping_loads_and_names_every_vendor_column():
    m = Mapping.load(MAPPINGS[0])
    assert m.id == "vnedu-modelled-1" and m.root == "enrolment"
    assert m.tables["student"].c.ho_ten.name == "ho_ten" and m.tables["klass"].c.lop.name == "ten_lop"
    assert m.school_link == (("enrolment", "truong_id"), ("school", "id"))
    assert m.reverse_lookup("trang_thai", "chuyen_di") == "4" and m.reverse_lookup("mon", "ngu_van") == "VAN"


@pytest.mark.parametrize("old, new, complaint", [
    ('school = "school.ma_truong"', 'school = "school.ma_truong_x"', "[root].school"),
    ('order = ["stt", "hoc_ky"]', 'order = ["stt", "ky"]', "[children.semester].order"),
    ('lookup = "gioi_tinh"', 'lookup = "gender"', "[lookups.gender]"),
    ('normalise = "school_year"', 'normalise = "nam_hoc"', "unknown normaliser"),
    ('assembler = "hocba_vnedu.assemble:assemble"', 'assembler = ""', "assembler"),
    ('{ table = "klass", on = ["enrolment.lop_id", "klass.id"] }', '{ table = "klass", on = ["enrolment.lop_id"] }', "on ="),
    ('school = "school.ma_truong"', 'school = "ma_truong"', '"table.column"'),
    ('read = ["semester.hoc_ky",', 'read = ["semester.ky",', "[children.semester].read"),
    ('read = ["semester.hoc_ky",', 'read = ["student.ho_ten", "semester.hoc_ky",', "not a column of semester"),
])
def test_a_mistake_in_the_mapping_is_named_when_it_loads(tmp_path, old, new, complaint):
    with pytest.raises(MappingError) as raised:
        load_variant(tmp_path, old, new)
    assert complaint in str(raised.value) and "variant.toml" in str(raised.value)


def test_children_read_only_the_columns_the_assembler_uses_and_their_parent():
    q = _Queries(Mapping.load(MAPPINGS[0]))
    assert q.child_shapes["semester"].names == ["semester.enrolment_id", "semester.hoc_ky", "semester.diem",
                                                "semester.tb", "semester.kq_nx", "subject.mon"]
    sql = str(q.children["semester"].compile(dialect=mysql.dialect()))
    assert "mon_hoc.ten_mon" not in sql and "diem_hoc_ky.stt" in sql.split("ORDER BY")[1]  # still ordered by it


def test_converters_remember_texts_and_integers_but_keep_each_value_exact():
    """A column holds few distinct codes and scores: each is converted once. Equal values of other types
    are not confused (8.0 and 8 differ as scores; True is not the integer 1)."""
    m = Mapping.load(MAPPINGS[0])
    tb = m.converter(m.specs["semester"].columns["tb"])
    assert str(tb("8.0")) == "8.0" and str(tb("8")) == "8" and tb("8.0") is tb("8.0")
    assert str(tb(Decimal("8.0"))) == "8.0" and str(tb(Decimal("8"))) == "8"
    status = m.converter(m.specs["enrolment"].columns["trang_thai"])
    assert status(1) == "dang_hoc" and status(True) == "True" and status("1") == "dang_hoc"
    with pytest.raises(normalise.BadValue):
        tb("tám")
    with pytest.raises(normalise.BadValue):  # an unreadable value fails every time it is met
        tb("tám")


def test_an_assembler_that_cannot_be_imported_is_named(tmp_path):
    m = load_variant(tmp_path, 'assembler = "hocba_vnedu.assemble:assemble"', 'assembler = "hocba_vnedu.nowhere:f"')
    with pytest.raises(MappingError) as raised:
        m.assembler
    assert "hocba_vnedu.nowhere:f" in str(raised.value)


def test_lookups_keep_unknown_values_as_found():
    m = Mapping.load(MAPPINGS[0])
    status = m.converter(m.specs["enrolment"].columns["trang_thai"])
    assert status(4) == "chuyen_di" and status("12") == "thoi_hoc" and status(13) == "13" and status(None) is None
    gender = m.converter(m.specs["student"].columns["gioi_tinh"])
    assert gender(1) == 1 and gender(0) == 2 and gender(None) is None


# --- normalisers (connector/normalise.py, shared with every source) ----------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("2022", "2022-2023"), (2022, "2022-2023"), ("2022-2023", "2022-2023"), ("2022 – 2023", "2022-2023"),
    ("2022/2024", "2022-2024"), (None, None)])
def test_school_years_from_the_start_year(value, expected):
    assert normalise.school_year(value) == expected


@pytest.mark.parametrize("value", ["20x2", "", "22-23", "2022-23"])
def test_unreadable_school_years_are_bad_values(value):
    with pytest.raises(normalise.BadValue):
        normalise.school_year(value)


@pytest.mark.parametrize("value, expected", [
    ("8", "8"), ("8.0", "8.0"), ("7,5", "7.5"), (" 9.25 ", "9.25"), (7.5, "7.5"), (Decimal("6.50"), "6.50"),
    ("", None), (None, None)])
def test_scores_keep_their_digits(value, expected):
    got = normalise.score(value)
    assert (str(got) if got is not None else None) == expected


@pytest.mark.parametrize("value", ["mười", "1e3", "NaN", "Infinity", True, "8..5"])
def test_unreadable_scores_are_bad_values(value):
    with pytest.raises(normalise.BadValue):
        normalise.score(value)


def test_flags():
    assert normalise.flag(1) is True and normalise.flag("0") is False and normalise.flag(b"\x01") is True
    assert normalise.flag(None) is None
    with pytest.raises(normalise.BadValue):
        normalise.flag(2)


# --- errors, URLs ---------------------------------------------------------------------------------------------


def db_error(cls, code, message="x"):
    return cls("SELECT 1", {}, pymysql.err.OperationalError(code, message))


@pytest.mark.parametrize("code, kind", [
    (2003, "unreachable"), (1045, "login"), (1049, "database"), (1044, "database_denied"), (1142, "privilege"),
    (1146, "schema"), (1054, "schema"), (2013, "transient"), (2006, "transient"), (1927, "transient"),
    (1969, "timeout"), (1064, None)])
def test_mysql_errors_are_classified_by_number(code, kind):
    assert classify(db_error(OperationalError, code), "mysql").kind == kind


def test_a_lost_link_while_connecting_means_unreachable():
    assert classify(db_error(OperationalError, 2013), "mysql", connecting=True).kind == "unreachable"


def test_odbc_sqlstates_and_native_numbers_are_read():
    class OdbcError(Exception):
        pass

    lost = OperationalError("SELECT 1", {}, OdbcError("08S01", "[ma-3.1.15] Server has gone away (2006) (SQLExecDirectW)"))
    denied = ProgrammingError("SELECT 1", {}, OdbcError("42000", "[SQL Server]The SELECT permission was denied (229)"))
    assert classify(lost, "mysql").kind == "transient" and classify(lost, "mysql").code == 2006
    assert classify(denied, "mssql").kind == "privilege"
    assert classify(lost, "postgresql").kind == "transient"  # 08S01, common to every ODBC driver


def test_server_labels_never_show_the_password():
    assert server_label(make_url("mysql+pymysql://u:secret@10.0.0.5:3307/db")) == "10.0.0.5:3307"
    odbc = make_url("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BSERVER%3Dsmas.local%3BPORT%3D1433%3BPWD%3Dsecret")
    assert server_label(odbc) == "smas.local:1433"


def test_a_vietnamese_password_is_sent_as_utf8_by_pymysql():
    assert password_args(make_url("mysql+pymysql://u:m%E1%BA%ADt@h/db")) == {"password": "mật".encode()}
    assert password_args(make_url("mysql+pymysql://u:plain@h/db")) == {}


def test_host_settings_build_the_url_with_the_password_from_the_environment():
    source = VneduSource({"host": "10.0.0.5", "database": "vnedu", "user": "doc", "password": "mật khẩu"})
    assert source.url.render_as_string(hide_password=True) == "mysql+mysqldb://doc:***@10.0.0.5:3306/vnedu?charset=utf8mb4"
    assert source.url.password == "mật khẩu" and source.server == "10.0.0.5:3306"


def test_host_settings_use_the_c_driver_when_installed_else_pymysql(monkeypatch):
    """mysqlclient is the vnedu plugin's c-driver extra (installed by make setup); without it, pymysql."""
    assert installed_driver(VneduSource.default_driver) == "mysql+mysqldb"
    monkeypatch.setitem(sys.modules, "MySQLdb", None)  # as if not installed: importing it fails
    source = VneduSource({"host": "10.0.0.5", "database": "vnedu", "user": "doc"})
    assert source.url.drivername == "mysql+pymysql" and not source.read_ahead


def test_the_next_page_is_read_ahead_by_default_with_c_drivers_only():
    """A C driver leaves the interpreter free while it waits, so a second thread can read the next page;
    pymysql parses rows in Python and would compete with the assembly (measured, docs/sql-sources.md)."""
    assert VneduSource({"url": "mysql+mysqldb://u@h/d"}).read_ahead
    assert not VneduSource({"url": "mysql+pymysql://u@h/d"}).read_ahead
    assert not VneduSource({"url": "mysql+mysqldb://u@h/d", "read_ahead": False}).read_ahead
    assert VneduSource({"url": "mysql+pymysql://u@h/d", "read_ahead": True}).read_ahead


# --- the statements (dialect-neutral SQLAlchemy Core, bound parameters) -----------------------------------------


def test_pages_are_keyset_queries_with_bound_parameters():
    q = _Queries(Mapping.load(MAPPINGS[0]))
    sql = str(q.root_variants[(True, True)].compile(dialect=mysql.dialect()))
    assert "hoc_sinh_lop.truong_id = %s" in sql and "hoc_sinh_lop.hoc_sinh_lop_id > %s" in sql
    assert "ORDER BY hoc_sinh_lop.hoc_sinh_lop_id" in sql and "LIMIT" in sql
    assert "updated_at >= %s" in sql and "79" not in sql  # values are bound, never written into the SQL
    assert "hoc_sinh_lop_id IN (SELECT diem_hoc_ky.hoc_sinh_lop_id" in sql  # a changed grade book counts


def test_the_same_statements_compile_for_sql_server():
    q = _Queries(Mapping.load(MAPPINGS[0]))
    dialect = mssql.dialect()
    dialect.server_version_info = (15, 0)
    sql = str(q.root_variants[(False, True)].compile(dialect=dialect))
    assert sql.startswith("SELECT TOP __[POSTCOMPILE_param_1]") and "ORDER BY hoc_sinh_lop.hoc_sinh_lop_id" in sql
    child = str(q.children["semester"].compile(dialect=dialect))
    assert "IN (__[POSTCOMPILE_ids])" in child and IN_LIST_MAX <= 2000
