use crate::domain::Role;
use crate::graphql::context::{db, viewer};
use crate::graphql::types::ApiKey;
use crate::service::keys;
use async_graphql::{Context, Object, Result};

/// Listing API keys, for admins.
#[derive(Default)]
pub struct KeyQuery;

#[Object]
impl KeyQuery {
    /// Every API key, oldest first; never the keys themselves. Needs an `ADMIN` key.
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        viewer(ctx).require(Role::Admin)?;
        Ok(keys::list(db(ctx)?).await?.into_iter().map(ApiKey).collect())
    }
}
