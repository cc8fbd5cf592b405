"""Command ``review``: the auditors' web page over a store."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from svmine.cli.common import fail
from svmine.cli.options import StoreOption

app = typer.Typer()


@app.command()
def review(
    db: StoreOption,
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
    auditors_per_item: Annotated[int, typer.Option("--auditors-per-item", min=1,
                                                   help="Auditors who see each item.")] = 1,
    token: Annotated[Optional[str], typer.Option(envvar="SVMINE_REVIEW_TOKEN",
                                                 help="Access token auditors enter with their name.")] = None,
    lead: Annotated[Optional[list[str]], typer.Option(
        help="Lead auditor who may adjudicate (repeatable; default: anyone). Each lead logs in with"
             " their own token, printed at start.")] = None,
) -> None:
    """Serve the review page: accept, reject, relabel and add mentions with the keyboard, settle
    uncertain footprint placements. Prints the address and each lead auditor's token."""
    from svmine.errors import StoreError
    from svmine.review.app import lead_tokens
    from svmine.review.server import make_server, server_url

    try:
        server = make_server(db, host, port, auditors_per_item=auditors_per_item, token=token, leads=tuple(lead or ()))
    except ValueError as exc:
        raise fail(str(exc), 2)
    except StoreError as exc:
        raise fail(str(exc), 2)
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port} ({exc.strerror or exc})", 2)
    typer.echo(f"svmine review: {server_url(host, server.server_port)}  (Ctrl-C to stop)")
    for name, secret in lead_tokens(server.app).items():
        typer.echo(f"lead auditor {name}: log in with token {secret}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
