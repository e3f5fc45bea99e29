"""`make backup` / `make restore`: an archive of the database and the private files restores
into a fresh database with the same row count in every table and the same file bytes."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from dit_portal.audit import log_action
from dit_portal.backup import BackupError, _read_archive, create_backup, private_files, restore_backup, row_counts
from dit_portal.files import private_storage
from tests.factories import UserFactory
from tests.files import PDF_BYTES

BASE_DIR = Path(settings.BASE_DIR)
PDF = PDF_BYTES  # a real PDF: uploads are read with pypdf


def _checksums(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def _some_portal_data():
    people = UserFactory.create_batch(3)
    for person in people:
        log_action(person, "tests.backup.example", data={"email": person.email})
    storage = private_storage()
    storage.save("evidence/certificate.pdf", ContentFile(PDF))
    storage.save("case-studies/2026/study.pdf", ContentFile(PDF + b"% a second file\n"))


class FreshPostgresDatabase:
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""

    def __init__(self):
        config = connection.settings_dict
        self.name = f"{config['NAME']}_restore"
        self.params = {
            key: value
            for key, value in {
                "host": config.get("HOST"),
                "port": config.get("PORT"),
                "user": config.get("USER"),
                "password": config.get("PASSWORD"),
            }.items()
            if value
        }

    def _admin(self, sql):
        admin = psycopg2.connect(dbname="postgres", **self.params)
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql)
        finally:
            admin.close()

    def __enter__(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')

    @property
    def url(self):
        user = self.params.get("user", "")
        password = f":{self.params['password']}" if self.params.get("password") else ""
        host = self.params.get("host", "localhost")
        port = f":{self.params['port']}" if self.params.get("port") else ""
        return f"postgres://{user}{password}@{host}{port}/{self.name}"

    def row_counts(self):
        restored = psycopg2.connect(dbname=self.name, **self.params)
        try:
            with restored.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                tables = [row[0] for row in cursor.fetchall()]
                counts = {}
                for table in tables:
                    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
                    counts[table] = cursor.fetchone()[0]
                return counts
        finally:
            restored.close()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_postgres_database_with_every_row_and_file(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    assert archive.suffix == ".tar"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    expected_counts = row_counts()
    expected_files = _checksums(private_storage().location)
    assert len(expected_files) == 2 and expected_counts["portal_auditentry"] >= 3

    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        env = {**os.environ, "DATABASE_URL": fresh.url, "PRIVATE_MEDIA_ROOT": str(restored_private)}
        result = _manage("restore", str(archive), env=env)
        assert result.returncode == 0, result.stderr
        assert "row counts and checksums match" in result.stdout
        assert fresh.row_counts() == expected_counts
    assert _checksums(restored_private) == expected_files


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_and_nothing_is_restored(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "private/evidence/certificate.pdf":
                data = data.replace(b"Catalog", b"Catalox")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    restored_private = tmp_path / "restored-private"
    with FreshPostgresDatabase() as fresh:
        env = {**os.environ, "DATABASE_URL": fresh.url, "PRIVATE_MEDIA_ROOT": str(restored_private)}
        result = _manage("restore", str(tampered), env=env)
        assert result.returncode != 0
        assert "evidence/certificate.pdf" in result.stderr
        assert fresh.row_counts() == {}
    assert not restored_private.exists() or not any(restored_private.iterdir())


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_restoring_over_a_database_that_has_tables_is_refused_and_changes_nothing(tmp_path):
    _some_portal_data()
    archive = create_backup(tmp_path / "backups")
    UserFactory()
    before = row_counts()
    with pytest.raises(BackupError, match="restore into a new, empty database"):
        restore_backup(archive)
    assert row_counts() == before


def test_an_archive_with_a_path_outside_its_folder_is_refused(tmp_path):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as archive:
        data = b"owned"
        member = tarfile.TarInfo("private/../../outside.txt")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="unsafe path"):
        _read_archive(evil, tmp_path / "scratch")
    assert not (tmp_path / "outside.txt").exists()


def test_the_local_sqlite_setup_backs_up_and_restores_too(tmp_path):
    """`make run` keeps its database in SQLite under var/; the same two commands work there."""
    source, target = tmp_path / "source", tmp_path / "target"
    base_env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    base_env.update(DEBUG="true", SECRET_KEY="test-only-secret-key")
    source_env = {**base_env, "VAR_DIR": str(source)}
    source.mkdir()
    migrated = _manage("migrate", "--no-input", env=source_env)
    assert migrated.returncode == 0, migrated.stderr
    (source / "private" / "evidence").mkdir(parents=True)
    (source / "private" / "evidence" / "certificate.pdf").write_bytes(PDF)

    backed_up = _manage("backup", "--output", str(tmp_path / "backups"), env=source_env)
    assert backed_up.returncode == 0, backed_up.stderr
    archive = backed_up.stdout.strip().splitlines()[-1]

    target.mkdir()
    restored = _manage("restore", archive, env={**base_env, "VAR_DIR": str(target)})
    assert restored.returncode == 0, restored.stderr

    def counts(database):
        db = sqlite3.connect(database)
        try:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            query = 'SELECT COUNT(*) FROM "{}"'
            return {table: db.execute(query.format(table)).fetchone()[0] for table in tables}
        finally:
            db.close()

    assert counts(target / "db.sqlite3") == counts(source / "db.sqlite3")
    assert counts(target / "db.sqlite3")["trainings_course"] > 0
    assert _checksums(target / "private") == _checksums(source / "private")
    assert private_files(target / "private")["evidence/certificate.pdf"]["size"] == len(PDF)
