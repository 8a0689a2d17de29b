//! The query root, merged from one object per area.

mod actor;
mod casualty;
mod changes;
mod event;
pub(crate) use event::filter_from_json as event_filter_from_json;
mod keys;
mod node;
pub(crate) use node::fetch_node;
mod search;
mod source;
mod statement;
mod stats;
mod viewer;

use crate::error::AppError;
use async_graphql::MergedObject;

/// Everything a client can read.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    event::EventQuery,
    actor::ActorQuery,
    statement::StatementQuery,
    casualty::CasualtyQuery,
    source::SourceQuery,
    viewer::ViewerQuery,
    changes::ChangesQuery,
    keys::KeyQuery,
    stats::StatsRoot,
    search::SearchRoot,
);

/// A root list field read for the SQL compiler, by the code its resolver uses; `None` when
/// the field is not a list the compiler knows or its arguments are refused.
pub(crate) fn compiled_list(
    field: &str,
    args: &crate::graphql::compiled::Arguments<'_>,
) -> Option<crate::graphql::compiled::ListRequest> {
    match field {
        "events" => event::compiled(args),
        "actors" => actor::compiled(args),
        "statements" => statement::compiled(args),
        "casualtyReports" => casualty::compiled(args),
        "sources" => source::compiled(args),
        _ => None,
    }
}

/// Upper-cases and checks country codes given as filter values.
fn country_codes(path: &str, codes: Option<Vec<String>>) -> Result<Option<Vec<String>>, AppError> {
    codes
        .map(|codes| {
            codes
                .into_iter()
                .map(|code| {
                    let upper = code.to_uppercase();
                    match isocountry::CountryCode::for_alpha2(&upper) {
                        Ok(_) => Ok(upper),
                        Err(_) => Err(AppError::invalid_input(
                            path,
                            format!(
                                "{code:?} is not an ISO 3166-1 alpha-2 country code such as \"KZ\""
                            ),
                        )),
                    }
                })
                .collect()
        })
        .transpose()
}

/// Sort direction of a list.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest, earliest or first in the alphabet first.
    Asc,
    /// Largest, latest or last in the alphabet first.
    Desc,
}

impl From<OrderDirection> for crate::service::page::Direction {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => crate::service::page::Direction::Asc,
            OrderDirection::Desc => crate::service::page::Direction::Desc,
        }
    }
}
