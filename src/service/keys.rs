//! API keys: who a request comes from and what it may do. A key is shown once, when it is
//! created; the database keeps only its SHA-256 hash, which is enough to recognise it because
//! keys are long random strings (no salt or slow hash is needed against guessing).

use crate::domain::Role;
use crate::error::AppError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use entity::api_key;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

/// Every key starts with this, so that a leaked key is recognisable in logs and scanners.
const PREFIX: &str = "annals_";

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The key's id; `None` for anonymous requests.
    pub key_id: Option<i32>,
    /// The key's name; `None` for anonymous requests.
    pub name: Option<String>,
    /// What the request may do.
    pub role: Role,
}

impl Viewer {
    /// A request without a key: a reader, when anonymous reading is allowed.
    pub fn anonymous() -> Self {
        Viewer { key_id: None, name: None, role: Role::Reader }
    }

    /// Refuses unless the viewer holds `role` or a higher one. A request without a key is
    /// told to authenticate; a key with too small a role is forbidden.
    pub fn require(&self, role: Role) -> Result<&str, AppError> {
        let Some(name) = &self.name else {
            return Err(AppError::Unauthenticated(format!(
                "this needs an API key with the {} role: send `Authorization: Bearer <key>`",
                role.as_str()
            )));
        };
        if self.role < role {
            return Err(AppError::Forbidden(format!(
                "the key {name:?} has the {} role; this needs {}",
                self.role.as_str(),
                role.as_str()
            )));
        }
        Ok(name)
    }
}

/// A key as listed: never the key itself.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// Its unique name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was created.
    pub created_at: chrono::DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<chrono::DateTime<Utc>>,
}

/// Creates a key named `name` with `role`, and returns the key (the only time it is seen) with
/// its listing.
///
/// # Errors
/// `BAD_USER_INPUT` for a blank name, `CONFLICT` when the name is taken.
pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    role: Role,
) -> Result<(String, KeyInfo), AppError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(AppError::invalid_input("name", "give the key a name of 1 to 100 characters"));
    }
    if api_key::Entity::find().filter(api_key::Column::Name.eq(name)).one(db).await?.is_some() {
        return Err(AppError::Conflict(format!("a key named {name:?} exists already")));
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let key = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    let row = api_key::ActiveModel {
        name: Set(name.to_owned()),
        role: Set(role.as_str().to_owned()),
        key_hash: Set(hash(&key)),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((key, info(row)?))
}

fn info(row: api_key::Model) -> Result<KeyInfo, AppError> {
    Ok(KeyInfo {
        role: Role::from_db(&row.role)?,
        name: row.name,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
    })
}

/// Every key, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<KeyInfo>, AppError> {
    api_key::Entity::find()
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(info)
        .collect()
}

/// Revokes the key named `name`, and returns its listing; requests with it are refused from
/// now on.
///
/// # Errors
/// `NOT_FOUND` when no key has that name.
pub async fn revoke(db: &sea_orm::DatabaseConnection, name: &str) -> Result<KeyInfo, AppError> {
    let row = api_key::Entity::find()
        .filter(api_key::Column::Name.eq(name))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("API key {name:?}")))?;
    if row.revoked_at.is_some() {
        return info(row);
    }
    let mut row: api_key::ActiveModel = row.into();
    row.revoked_at = Set(Some(Utc::now()));
    let revoked = info(row.update(db).await?)?;
    // Subscriptions opened with the key end: every process's follower rereads the revoked
    // keys when woken.
    super::live::notify(db).await?;
    super::live::Committed::of(db).announce();
    Ok(revoked)
}

/// The viewer a presented key stands for.
///
/// # Errors
/// `UNAUTHENTICATED` for an unknown or revoked key; the message does not say which.
pub async fn authenticate(db: &impl ConnectionTrait, key: &str) -> Result<Viewer, AppError> {
    let refused = || AppError::Unauthenticated("the API key is not valid".to_owned());
    if !key.starts_with(PREFIX) {
        return Err(refused());
    }
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash(key)))
        .one(db)
        .await?
        .filter(|row| row.revoked_at.is_none())
        .ok_or_else(refused)?;
    Ok(Viewer { key_id: Some(row.id), role: Role::from_db(&row.role)?, name: Some(row.name) })
}

fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below_them() {
        let editor = Viewer { key_id: Some(1), name: Some("e".into()), role: Role::Editor };
        assert!(editor.require(Role::Reader).is_ok());
        assert!(editor.require(Role::Editor).is_ok());
        assert_eq!(
            editor.require(Role::Admin).unwrap_err().code(),
            crate::error::ErrorCode::Forbidden
        );
        assert_eq!(
            Viewer::anonymous().require(Role::Editor).unwrap_err().code(),
            crate::error::ErrorCode::Unauthenticated
        );
    }
}
