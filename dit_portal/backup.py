"""Backups of the whole portal: the database and the private files, in one archive.

An archive is a tar file holding
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite,
  a consistent copy made with SQLite's backup API);
- `private/...`: the private files, under their stored names;
- `manifest.json`: when and from what it was made, the row count of every table and the
  SHA-256 and size of every private file and of the dump;
- `manifest.sig`: the manifest's HMAC-SHA256 under BACKUP_KEY, so the manifest (and through
  its checksums, everything else) cannot be changed without the key.

A backup of a live site is consistent: on PostgreSQL one REPEATABLE READ transaction exports
its snapshot, `pg_dump --snapshot` dumps exactly that snapshot and the row counts are taken
in it too; on SQLite the counts are read from the copy. The private files are listed after
the snapshot (a row's file is stored before its row commits, so every file a row of the
snapshot names is there), and each file's checksum is taken from the very bytes written
into the archive, so a file saved or deleted meanwhile cannot make the manifest disagree
with the archive.

Restoring checks the signature and the whole archive against its manifest before it writes
anything, refuses a database that already holds data, and afterwards compares every table's
row count and every file's checksum with the manifest. A restore that fails once it has
started writing empties the database and the private folder again (both were empty before),
so it can simply be run again.
"""

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore are the tools for the job
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from zlib import error as zlib_error

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PRIVATE_PREFIX = "private/"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int


def _database(alias="default"):
    return connections[alias]


def _engine(alias="default"):
    vendor = _database(alias).vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def private_root():
    """The folder of the private file storage (a FileSystemStorage)."""
    from dit_portal.files import private_storage

    location = getattr(private_storage(), "location", None)
    if not location:
        raise BackupError("The private storage is not a folder on this machine; back it up with its own tools.")
    return Path(location)


def row_counts(alias="default"):
    """Rows in every table of the database, by table name."""
    connection = _database(alias)
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def private_files(root):
    """Every private file under `root`: {relative posix path: {"sha256", "size"}}."""
    files = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = {"sha256": _sha256(path), "size": path.stat().st_size}
    return files


def _pg_environment(alias="default"):
    config = _database(alias).settings_dict
    environment = {**os.environ, "PGDATABASE": config["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            environment[variable] = str(config[key])
    return environment


def _run(command, environment):
    executable = shutil.which(command[0])
    if executable is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools are needed).")
    result = subprocess.run([executable, *command[1:]], env=environment, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
    return result


def _table_counts(cursor, tables, quote):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalog
        counts[table] = cursor.fetchone()[0]
    return counts


# The tables Django's introspection lists (ordinary and partitioned tables of the schemas on
# the search path), read from the snapshot's own catalog.
SNAPSHOT_TABLES = """
    SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
      AND pg_catalog.pg_table_is_visible(c.oid)
"""


def _dump_postgresql(target, alias):
    """pg_dump and the row counts, both of one exported snapshot."""
    connection = _database(alias)
    snapshot_holder = connection.get_new_connection(connection.get_connection_params())
    try:
        snapshot_holder.autocommit = True
        cursor = snapshot_holder.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            _pg_environment(alias),
        )
        cursor.execute(SNAPSHOT_TABLES)
        counts = _table_counts(cursor, [row[0] for row in cursor.fetchall()], connection.ops.quote_name)
        cursor.execute("COMMIT")
    finally:
        snapshot_holder.close()
    return counts


def _dump_sqlite(target, alias):
    """A copy by SQLite's backup API (consistent by itself); the counts are the copy's."""
    source = sqlite3.connect(str(_database(alias).settings_dict["NAME"]))
    try:
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        try:
            tables = [
                row[0]
                for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = _table_counts(copy.cursor(), tables, _database(alias).ops.quote_name)
        finally:
            copy.close()
    finally:
        source.close()
    return counts


def _dump_database(folder, alias="default"):
    """Write the dump into `folder`; returns its path and the row counts it holds."""
    if _engine(alias) == "postgresql":
        target = folder / "database.dump"
        return target, _dump_postgresql(target, alias)
    target = folder / "database.sqlite3"
    return target, _dump_sqlite(target, alias)


class _HashingReader:
    """Reads a file into the archive, hashing exactly the bytes it hands over."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _add_private_file(archive, root, name):
    """Add one private file; returns its manifest entry, or None if it was deleted meanwhile."""
    try:
        stream = open(root / name, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with stream:
        status = os.fstat(stream.fileno())
        info = tarfile.TarInfo(PRIVATE_PREFIX + name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(stream)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _private_names(root):
    if not root.exists():
        return []
    return [
        path.relative_to(root).as_posix()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    ]


def sign(manifest_bytes, key):
    return hmac.new(key.encode(), manifest_bytes, hashlib.sha256).hexdigest()


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(output_dir, alias="default", *, insecure=False):
    """Write a backup archive into `output_dir` and return its path. Signed with BACKUP_KEY;
    without a key only when told `insecure`."""
    engine = _engine(alias)
    key = settings.BACKUP_KEY
    if not key and not insecure:
        raise BackupError("BACKUP_KEY is not set: set it to sign the backup, or pass --insecure for an unsigned one.")
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    root = private_root()
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive_path = output_dir / f"dit-portal-{stamp}.tar"
    partial = archive_path.with_suffix(".tar.partial")
    with tempfile.TemporaryDirectory() as scratch:
        dump, counts = _dump_database(Path(scratch), alias)
        # Listed after the snapshot: every file a row of the dump names is already stored.
        names = _private_names(root)
        try:
            with tarfile.open(partial, "w") as archive:
                archive.add(dump, arcname=dump.name)
                files = {}
                for name in names:
                    entry = _add_private_file(archive, root, name)
                    if entry is not None:
                        files[name] = entry
                manifest = {
                    "format": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "engine": engine,
                    "database_file": dump.name,
                    "database_sha256": _sha256(dump),
                    "row_counts": counts,
                    "files": files,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                _add_bytes(archive, MANIFEST, data)
                if key:
                    _add_bytes(archive, SIGNATURE, sign(data, key).encode())
            os.chmod(partial, 0o600)
            partial.replace(archive_path)
        finally:
            partial.unlink(missing_ok=True)
    return archive_path


def _safe_member_name(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"The archive holds an unsafe path: {name!r}.")
    return path


def _read_archive(archive_path, scratch, *, insecure=False):
    """Unpack and check the archive against its signed manifest; return the manifest."""
    try:
        return _unpack_and_check(archive_path, Path(scratch), insecure=insecure)
    except (tarfile.TarError, EOFError, zlib_error) as error:
        raise BackupError(f"{archive_path} is truncated or damaged ({_reason(error)}); use another copy.") from error
    except OSError as error:
        raise BackupError(f"{archive_path} cannot be read: {error.strerror or error}.") from error


def _reason(error):
    """tarfile's reason in a few words (opening lists every compression it tried)."""
    found = re.findall(r"ReadError\('([^']*)'\)", str(error))
    return found[-1] if found else " ".join(str(error).split()) or type(error).__name__


def _unpack_and_check(archive_path, scratch, *, insecure):
    with tarfile.open(archive_path, "r") as archive:
        members = archive.getmembers()
        for member in members:
            _safe_member_name(member.name)
            if not (member.isfile() or member.isdir()):
                raise BackupError(f"The archive holds something other than files: {member.name!r}.")
        try:
            manifest_bytes = archive.extractfile(MANIFEST).read()
            manifest = json.loads(manifest_bytes)
        except (KeyError, AttributeError, ValueError) as error:
            raise BackupError("The archive has no readable manifest.") from error
        _check_signature(archive, manifest_bytes, insecure=insecure)
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        archive.extractall(scratch, members=members, filter="data")
    dump = scratch / manifest["database_file"]
    if not dump.is_file() or _sha256(dump) != manifest["database_sha256"]:
        raise BackupError("The database dump is missing or does not match its checksum.")
    unpacked = private_files(scratch / PRIVATE_PREFIX.rstrip("/"))
    if unpacked != manifest["files"]:
        differing = sorted(_differences(unpacked, manifest))
        raise BackupError(f"Private files do not match the manifest: {', '.join(differing[:5])}.")
    return manifest


def _check_signature(archive, manifest_bytes, *, insecure):
    if insecure:
        return
    try:
        signature = archive.extractfile(SIGNATURE).read().decode().strip()
    except (KeyError, AttributeError, UnicodeDecodeError):
        raise BackupError(
            "The archive is not signed. Restore it only if you know where it comes from, with --insecure."
        ) from None
    key = settings.BACKUP_KEY
    if not key:
        raise BackupError("BACKUP_KEY is not set, so the archive's signature cannot be checked.")
    if not hmac.compare_digest(signature, sign(manifest_bytes, key)):
        raise BackupError(
            "The archive's signature does not match BACKUP_KEY: it was changed, or signed with another key."
        )


def _differences(found, manifest):
    expected = manifest["files"]
    return [name for name in set(found) | set(expected) if found.get(name) != expected.get(name)]


def _existing_tables(alias="default"):
    connection = _database(alias)
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _restore_database(dump, engine, alias="default"):
    if engine != _engine(alias):
        raise BackupError(f"The backup is of a {engine} database; this portal is configured for {_engine(alias)}.")
    connection = _database(alias)
    if engine == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            _pg_environment(alias),
        )
        return
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    restored = sqlite3.connect(str(target))
    source = sqlite3.connect(str(dump))
    try:
        with restored:
            source.backup(restored)
    finally:
        source.close()
        restored.close()


def _empty_target(root, alias):
    """Undo a restore that failed part-way: both the database and the folder were empty."""
    connection = _database(alias)
    connection.close()
    tables = _existing_tables(alias)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
        if connection.vendor == "postgresql":
            # The dump also creates functions (the issued-invoice triggers'); dropping the
            # tables leaves them, and the next restore would fail on "already exists".
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace"
                " LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'"
                " WHERE n.nspname = current_schema() AND d.objid IS NULL"
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    connection.close()
    if root.exists():
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def restore_backup(archive_path, alias="default", *, insecure=False):
    """Restore an archive into an empty database and an empty private folder."""
    root = private_root()
    existing = _existing_tables(alias)
    if existing:
        raise BackupError(
            f"The database already has tables ({', '.join(existing[:3])}, ...); restore into a new, empty database "
            "(do not migrate it first)."
        )
    if private_files(root):
        raise BackupError(f"The private files folder {root} is not empty; restore into an empty folder.")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        manifest = _read_archive(archive_path, scratch, insecure=insecure)
        try:
            restored_counts = _write_target(manifest, scratch, root, alias)
        except BackupError as error:
            raise BackupError(f"{error} {_emptied(root, alias)}") from error
        except Exception as error:
            raise BackupError(f"The restore stopped: {error} {_emptied(root, alias)}") from error
    return Restored(tables=len(restored_counts), rows=sum(restored_counts.values()), files=len(manifest["files"]))


def _emptied(root, alias):
    try:
        _empty_target(root, alias)
    except Exception as error:
        name = _database(alias).settings_dict["NAME"]
        return (
            f"Emptying the target failed too ({error}): drop every table of the database {name} "
            f"and delete everything under {root} before trying again."
        )
    return "The database and the private files folder were emptied again; the restore can be run again."


def _write_target(manifest, scratch, root, alias):
    _restore_database(scratch / manifest["database_file"], manifest["engine"], alias)
    root.mkdir(parents=True, exist_ok=True)
    source_root = scratch / PRIVATE_PREFIX.rstrip("/")
    for name in manifest["files"]:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_root / name, target)
        os.chmod(target, 0o600)
    restored_counts = row_counts(alias)
    if restored_counts != manifest["row_counts"]:
        differing = [t for t in manifest["row_counts"] if restored_counts.get(t) != manifest["row_counts"][t]]
        raise BackupError(f"Row counts differ after the restore: {', '.join(differing[:5])}.")
    if private_files(root) != manifest["files"]:
        raise BackupError("Private files differ from the manifest after the restore.")
    return restored_counts
