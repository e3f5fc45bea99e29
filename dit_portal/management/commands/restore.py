"""`manage.py restore ARCHIVE`: restore a backup into a new, empty database and private folder."""

from django.core.management.base import BaseCommand, CommandError

from dit_portal.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into a new, empty database and an empty private files folder."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar file `manage.py backup` wrote.")

    def handle(self, *args, archive, **options):
        try:
            restored = restore_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored.rows} rows in {restored.tables} tables and {restored.files} private files; "
                "row counts and checksums match the backup."
            )
        )
