from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.core.platform.health import check_parts


class Command(BaseCommand):
    help = "Probe every part the platform runs on (sql, cache, channels, documents, storage) and print a table."

    def handle(self, *args: Any, **options: Any) -> None:
        parts = check_parts()
        rows = [("part", "backend", "status", "latency", "error")]
        rows += [(p.name, p.backend, p.status, f"{p.latency_ms:.1f} ms", p.error) for p in parts]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
            line = f"{line}  {row[4]}".rstrip()
            if index == 0:
                self.stdout.write(self.style.MIGRATE_HEADING(line))
            elif parts[index - 1].ok:
                self.stdout.write(line)
            else:
                self.stdout.write(self.style.ERROR(line))
        down = [p.name for p in parts if not p.ok]
        if down:
            raise CommandError(f"down: {', '.join(down)}")
        self.stdout.write(self.style.SUCCESS("all parts ok"))
