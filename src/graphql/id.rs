//! Global object IDs: opaque to clients, stable across restarts and exports, and accepted by
//! `node(id:)`. An ID is the URL-safe base64 of `Type:rowid`.

use crate::domain::NodeType;
use crate::error::AppError;
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The ID of row `id` of `kind`.
pub fn encode(kind: NodeType, id: impl Into<i64>) -> ID {
    ID(kind.global_id(id.into()))
}

/// The same ID as [`encode`], computed by PostgreSQL from the row id `id_expr`: the
/// compiled-read path writes IDs in SQL. `encode` breaks lines every 76 characters, so line
/// breaks are dropped with the padding.
pub fn sql_encode(kind: NodeType, id_expr: &str) -> String {
    format!(
        "rtrim(translate(encode(convert_to('{}:' || {id_expr}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')",
        kind.type_name()
    )
}

/// Reads an ID of any node type.
///
/// # Errors
/// `INVALID_ID` when the ID was not issued by this service.
pub fn decode(id: &str) -> Result<(NodeType, i32), AppError> {
    let invalid = || AppError::InvalidId(id.to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (kind, digits) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeType::from_type_name(kind).ok_or_else(invalid)?;
    // Only the canonical spelling is accepted, so one row never has two IDs.
    let row = digits
        .parse::<i32>()
        .ok()
        .filter(|row| *row > 0 && row.to_string() == digits)
        .ok_or_else(invalid)?;
    Ok((kind, row))
}

/// Reads an ID that must name a node of `kind`.
///
/// # Errors
/// `INVALID_ID` when the ID is malformed or names another type.
pub fn decode_as(kind: NodeType, id: &str) -> Result<i32, AppError> {
    match decode(id)? {
        (found, row) if found == kind => Ok(row),
        _ => Err(AppError::InvalidId(id.to_owned())),
    }
}

/// Reads a list of IDs that must all name nodes of `kind`.
pub fn decode_all(kind: NodeType, ids: &[ID]) -> Result<Vec<i32>, AppError> {
    ids.iter().map(|id| decode_as(kind, id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_check_their_type() {
        let id = encode(NodeType::CasualtyReport, 42);
        assert_eq!(decode(&id).unwrap(), (NodeType::CasualtyReport, 42));
        assert!(decode_as(NodeType::Event, &id).is_err());
        for bad in ["", "garbage!", "RXZlbnQ6", "RXZlbnQ6LTE"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
