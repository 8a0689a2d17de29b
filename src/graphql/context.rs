//! What resolvers take from the request context.

use super::loaders::{AppLoader, LoadError};
use crate::error::AppError;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ErrorExtensions, Result};
use sea_orm::DatabaseConnection;
use std::hash::Hash;

/// Who is asking; anonymous when the request came with no viewer (only outside HTTP).
pub fn viewer(ctx: &Context<'_>) -> crate::service::keys::Viewer {
    ctx.data_opt::<crate::service::keys::Viewer>()
        .cloned()
        .unwrap_or_else(crate::service::keys::Viewer::anonymous)
}

/// A read replica a query reads from instead of the primary: its pool and its own loader, so
/// that every statement of the query goes to it.
pub struct Replica {
    pub conn: DatabaseConnection,
    pub loader: DataLoader<AppLoader>,
}

/// The database pool the request reads and writes: the replica chosen for a query, or the
/// primary.
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    match ctx.data_opt::<std::sync::Arc<Replica>>() {
        Some(replica) => Ok(&replica.conn),
        None => ctx.data::<DatabaseConnection>(),
    }
}

/// The batching loader for relations, over the same pool as [`db`].
pub fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<AppLoader>> {
    match ctx.data_opt::<std::sync::Arc<Replica>>() {
        Some(replica) => Ok(&replica.loader),
        None => ctx.data::<DataLoader<AppLoader>>(),
    }
}

/// Loads one key through the batching loader.
pub async fn load<K>(ctx: &Context<'_>, key: K) -> Result<Option<<AppLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    AppLoader: Loader<K, Error = LoadError>,
{
    loader(ctx)?.load_one(key).await.map_err(|err| err.extend())
}

/// Loads a relation the database guarantees to exist (a foreign key); its absence is a bug.
pub async fn load_required<K>(ctx: &Context<'_>, key: K) -> Result<<AppLoader as Loader<K>>::Value>
where
    K: Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
    AppLoader: Loader<K, Error = LoadError>,
{
    let missing = format!("{key:?} is referenced but missing");
    load(ctx, key).await?.ok_or_else(|| AppError::internal(missing).extend())
}

/// Loads relations the database guarantees to exist, in the order of `keys`.
pub async fn load_all_required<K>(
    ctx: &Context<'_>,
    keys: Vec<K>,
) -> Result<Vec<<AppLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
    AppLoader: Loader<K, Error = LoadError>,
{
    let mut found =
        loader(ctx)?.load_many(keys.iter().cloned()).await.map_err(|err| err.extend())?;
    keys.into_iter()
        .map(|key| {
            let missing = format!("{key:?} is referenced but missing");
            found.remove(&key).ok_or_else(|| AppError::internal(missing).extend())
        })
        .collect()
}
