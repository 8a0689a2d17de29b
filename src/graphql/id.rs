//! Global object IDs: opaque to clients, stable across restarts and exports, and accepted by
//! `node(id:)`. An ID is the URL-safe base64 of `Type:rowid`.

use crate::error::AppError;
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The node types an ID can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::EnumString, strum::IntoStaticStr)]
pub enum NodeKind {
    /// An `Event`.
    Event,
    /// An `Actor`.
    Actor,
    /// A `Statement`.
    Statement,
    /// A `CasualtyReport`.
    CasualtyReport,
    /// A `Source`.
    Source,
}

/// The ID of row `id` of `kind`.
pub fn encode(kind: NodeKind, id: i32) -> ID {
    let name: &'static str = kind.into();
    ID(URL_SAFE_NO_PAD.encode(format!("{name}:{id}")))
}

/// Reads an ID of any node type.
///
/// # Errors
/// `INVALID_ID` when the ID was not issued by this service.
pub fn decode(id: &str) -> Result<(NodeKind, i32), AppError> {
    let invalid = || AppError::InvalidId(id.to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (kind, digits) = text.split_once(':').ok_or_else(invalid)?;
    let kind = kind.parse::<NodeKind>().map_err(|_| invalid())?;
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
pub fn decode_as(kind: NodeKind, id: &str) -> Result<i32, AppError> {
    match decode(id)? {
        (found, row) if found == kind => Ok(row),
        _ => Err(AppError::InvalidId(id.to_owned())),
    }
}

/// Reads a list of IDs that must all name nodes of `kind`.
pub fn decode_all(kind: NodeKind, ids: &[ID]) -> Result<Vec<i32>, AppError> {
    ids.iter().map(|id| decode_as(kind, id)).collect()
}

impl From<crate::domain::NodeType> for NodeKind {
    fn from(node: crate::domain::NodeType) -> Self {
        use crate::domain::NodeType;
        match node {
            NodeType::Source => NodeKind::Source,
            NodeType::Actor => NodeKind::Actor,
            NodeType::Event => NodeKind::Event,
            NodeType::Statement => NodeKind::Statement,
            NodeType::CasualtyReport => NodeKind::CasualtyReport,
        }
    }
}

impl From<NodeKind> for crate::domain::NodeType {
    fn from(kind: NodeKind) -> Self {
        use crate::domain::NodeType;
        match kind {
            NodeKind::Source => NodeType::Source,
            NodeKind::Actor => NodeType::Actor,
            NodeKind::Event => NodeType::Event,
            NodeKind::Statement => NodeType::Statement,
            NodeKind::CasualtyReport => NodeType::CasualtyReport,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_check_their_type() {
        let id = encode(NodeKind::CasualtyReport, 42);
        assert_eq!(decode(&id).unwrap(), (NodeKind::CasualtyReport, 42));
        assert!(decode_as(NodeKind::Event, &id).is_err());
        for bad in ["", "garbage!", "RXZlbnQ6", "RXZlbnQ6LTE"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
