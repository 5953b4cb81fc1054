from __future__ import annotations

from fastapi import APIRouter, status

from server.auth import service
from server.auth.schemas import TokenCreate, TokenCreated
from server.deps import AdminOnly, Session

router = APIRouter(prefix="/api/tokens", tags=["auth"])


@router.post("", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(data: TokenCreate, session: Session, _: AdminOnly) -> TokenCreated:
    """Create an operator token. The secret is in this answer only."""
    return TokenCreated(token=await service.create_token(session, data.role, data.label), role=data.role)
