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

/// The database pool.
pub fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// The batching loader for relations.
pub fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<AppLoader>> {
    ctx.data::<DataLoader<AppLoader>>()
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
