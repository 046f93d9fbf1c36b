"""The accounts API: revoking an API token (tokens are made by `traffpunkt token` or on the
organiser's admin page)."""

from __future__ import annotations

from litestar import Controller, delete
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.status_codes import HTTP_204_NO_CONTENT

from accounts import service
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.problems import problem_responses


class TokensController(Controller):
    path = "/api/v1/tokens"
    tags = ["organisers"]

    @delete(
        "/{token_id:str}",
        dependencies={"actor": Provide(require_organiser)},
        status_code=HTTP_204_NO_CONTENT,
        summary="Revoke an API token (your own; any, for an admin)",
        responses=problem_responses(401, 404),
        security=[{"BearerToken": []}],
    )
    async def revoke(self, actor: NamedDependency[Principal], token_id: FromPath[str]) -> None:
        await service.revoke_token(actor, token_id)


ROUTES = [TokensController]
