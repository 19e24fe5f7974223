"""Runs command sequences through Debian's Alembic and reports what it did, as JSON.

Input (stdin): {"env": DIR, "url": URL, "reset": SQL-URL-kind, "sequences": [[COMMAND, ...], ...]}
with COMMAND = {"op": "upgrade"|"downgrade"|"stamp"|"history"|"current", "arg": TEXT, "sql": BOOL}.
For every sequence the database starts empty. Output (stdout): one list per
sequence, one result per command:
{"ok": BOOL, "error": TEXT, "steps": [[ID, "up"|"down"|"stamp"]], "rows": [ID...],
 "tables": [NAME...], "lines": [ID...]}.

Alembic loads version files in directory-listing order, which the file
system decides; sorting the listing makes its tie-breaking the order of the
file names, so that runs are repeatable.
"""
import io
import json
import os
import re
import sys

from alembic import command
from alembic.config import Config
from alembic.script.base import Script
import sqlalchemy as sa

_listdir = Script._list_py_dir.__func__


def _sorted_listing(cls, scriptdir, path):
    return sorted(_listdir(cls, scriptdir, path))


Script._list_py_dir = classmethod(_sorted_listing)


def reset(engine):
    with engine.begin() as connection:
        names = sa.inspect(connection).get_table_names()
        for name in names:
            connection.execute(sa.text('DROP TABLE "%s"' % name) if engine.dialect.name != "mysql" else sa.text("DROP TABLE `%s`" % name))


def state(engine):
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names())
        rows = []
        if "alembic_version" in names:
            rows = sorted(r[0] for r in connection.execute(sa.text("SELECT version_num FROM alembic_version")))
        return rows, [n for n in names if n.startswith("m_")]


LINE = re.compile(r"-> (\w+)")


def run(env, url, cmd, engine):
    out = io.StringIO()
    config = Config(stdout=out, output_buffer=io.StringIO())
    config.set_main_option("script_location", env)
    config.set_main_option("sqlalchemy.url", url)
    steps = []
    config.attributes["record"] = steps
    op, arg, sql = cmd["op"], cmd.get("arg"), cmd.get("sql", False)
    result = {"ok": True}
    try:
        if op == "upgrade":
            command.upgrade(config, arg, sql=sql)
        elif op == "downgrade":
            command.downgrade(config, arg, sql=sql)
        elif op == "stamp":
            command.stamp(config, arg.split(",") if "," in arg else arg, sql=sql, purge=cmd.get("purge", False))
        elif op == "history":
            command.history(config, arg)
            result["lines"] = [m.group(1) for m in (LINE.search(l) for l in out.getvalue().splitlines()) if m]
        elif op == "current":
            command.current(config)
            result["lines"] = sorted(l.split(" ")[0] for l in out.getvalue().splitlines() if l.strip())
        else:
            raise ValueError("unknown op " + op)
    except Exception as error:  # every refusal is compared as "refused"
        result = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    result["steps"] = steps
    result["rows"], result["tables"] = state(engine)
    return result


def main():
    job = json.load(sys.stdin)
    env, url = job["env"], job["url"]
    engine = sa.create_engine(url)
    report = []
    for sequence in job["sequences"]:
        reset(engine)
        report.append([run(env, url, cmd, engine) for cmd in sequence])
    engine.dispose()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
