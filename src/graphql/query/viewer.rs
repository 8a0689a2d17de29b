use crate::domain::Role;
use crate::graphql::context::viewer;
use async_graphql::{Context, Object, Result};

/// Who is asking.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The client making this request, as its API key identifies it.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<ViewerInfo> {
        Ok(ViewerInfo(viewer(ctx)))
    }
}

/// A client of the API.
pub struct ViewerInfo(crate::service::keys::Viewer);

#[Object(name = "Viewer")]
impl ViewerInfo {
    /// The API key's name, which history records as the author of its changes; null without
    /// a key.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// What the client may do; a client without a key reads as a `READER`.
    async fn role(&self) -> Role {
        self.0.role
    }

    /// Whether the request carried a valid API key.
    async fn authenticated(&self) -> bool {
        self.0.key_id.is_some()
    }
}
