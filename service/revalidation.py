"""JSON answers with a content ETag, answering 304 to a matching `If-None-Match`."""

from __future__ import annotations

from hashlib import sha256

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

NOT_MODIFIED = {304: {"description": "Not modified: the client's copy (its ETag) is current."}}


def etag_of(body: bytes) -> str:
    """A strong ETag of the body's bytes."""
    return f'"{sha256(body).hexdigest()[:32]}"'


def matches(header: str | None, etag: str) -> bool:
    """True when `If-None-Match` names this ETag (weak or strong) or is `*`."""
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def json_answer(request: Request, answer: BaseModel) -> Response:
    """The answer as JSON with its ETag, or 304 when the client already holds it."""
    body = answer.model_dump_json().encode()
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
