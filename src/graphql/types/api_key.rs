use crate::domain::Role;
use crate::service::keys::KeyInfo;
use async_graphql::Object;
use chrono::{DateTime, Utc};

/// An API key, as admins see it.
pub struct ApiKey(pub KeyInfo);

#[Object]
impl ApiKey {
    /// Its unique name, recorded as the author of its changes.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it may do.
    async fn role(&self) -> Role {
        self.0.role
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}
