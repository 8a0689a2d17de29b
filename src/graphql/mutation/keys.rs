use super::author;
use crate::domain::Role;
use crate::graphql::context::db;
use crate::graphql::types::ApiKey;
use crate::service::keys;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

/// Managing API keys, for admins.
#[derive(Default)]
pub struct KeyMutation;

#[Object]
impl KeyMutation {
    /// Creates an API key. The key itself is in the payload this once; only its hash is
    /// stored. Needs an `ADMIN` key.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        author(ctx, Role::Admin)?;
        let (key, info) = keys::create(db(ctx)?, &input.name, input.role).await?;
        Ok(CreateApiKeyPayload { key, api_key: ApiKey(info) })
    }

    /// Revokes an API key: requests with it are refused from now on. Needs an `ADMIN` key.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiKeyInput,
    ) -> Result<RevokeApiKeyPayload> {
        author(ctx, Role::Admin)?;
        let info = keys::revoke(db(ctx)?, &input.name).await?;
        Ok(RevokeApiKeyPayload { api_key: ApiKey(info) })
    }
}

/// A key to create.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// A unique name.
    name: String,
    /// What the key may do.
    role: Role,
}

/// A new key.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The key, to send as `Authorization: Bearer <key>`; shown this once.
    key: String,
    /// The key's record.
    api_key: ApiKey,
}

/// A key to revoke.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key's name.
    name: String,
}

/// A revoked key.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The key's record.
    api_key: ApiKey,
}
