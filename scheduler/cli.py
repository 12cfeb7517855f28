"""``cohort-scheduler``: the one command that upgrades the schema, loads demo data and serves.

It serves with waitress, a production WSGI server that runs everywhere Python runs; use
gunicorn for scale-out (see docs/deploy.md).
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import func, select


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cohort-scheduler", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="upgrade the database, load demo data if empty, serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--no-demo", action="store_true", help="never load demo data")
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument(
        "--job-workers",
        type=int,
        default=2,
        help="tasks (solves, mail) run at once by the embedded worker",
    )
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_command(args)
    return 2


def prepare_database(app, load_demo_data: bool) -> None:
    """Bring the schema up to date; on an empty database load the demo and print its accounts."""
    from flask_migrate import upgrade

    from scheduler.extensions import db
    from scheduler.models import User

    with app.app_context():
        upgrade()
        if load_demo_data and db.session.scalar(select(func.count(User.id))) == 0:
            from scheduler.demo import load_demo

            accounts = load_demo()
            db.session.commit()
            print("Demo data loaded. Sign in with one of these accounts:")
            for role, email, password in accounts:
                print(f"  {role:<12} {email:<36} {password}")


def serve_command(args: argparse.Namespace) -> int:
    from waitress import serve

    from scheduler import create_app
    from scheduler.jobs.worker import start_embedded_worker, stop_embedded_worker
    from scheduler.logs import configure_logging

    app = create_app()
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    prepare_database(app, load_demo_data=not args.no_demo)
    # Without Redis, solves run in this process; with it, `flask worker` processes run them.
    consumer = start_embedded_worker(app, workers=args.job_workers)
    print(f"Serving on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    try:
        serve(app, host=args.host, port=args.port, threads=args.threads)
    except KeyboardInterrupt:  # waitress handles the first Ctrl+C; a second one lands here
        pass
    finally:
        stop_embedded_worker(consumer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
