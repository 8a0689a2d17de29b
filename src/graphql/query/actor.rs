use super::{country_codes, OrderDirection};
use crate::domain::ActorKind;
use crate::domain::NodeType;
use crate::error::AppError;
use crate::graphql::compiled::{Arguments, ListRequest};
use crate::graphql::context::db;
use crate::graphql::pagination::{args, connection, page_cost, Conn, Counter};
use crate::graphql::types::Actor;
use crate::service::actor as actors;
use crate::service::page::{PageArgs, Window};
use async_graphql::{Context, Enum, InputObject, Object, Result};

/// Listing and filtering actors.
#[derive(Default)]
pub struct ActorQuery;

#[Object]
impl ActorQuery {
    /// Actors matching `filter`, by name unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn actors(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActorFilter>,
        order_by: Option<ActorOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Actor>> {
        let (filter, window) = request(filter, order_by, args(first, after, last, before))?;
        let page = actors::list(db(ctx)?, &filter, &window).await?;
        Ok(connection(page, Actor, Counter::Actors(filter)))
    }
}

/// What `actors` lists, read from its arguments.
fn request(
    filter: Option<ActorFilter>,
    order_by: Option<ActorOrder>,
    page: PageArgs,
) -> Result<(actors::ActorFilter, Window), AppError> {
    let filter = filter.map(ActorFilter::into_service).transpose()?.unwrap_or_default();
    let order = order_by.unwrap_or_default();
    Ok((filter, Window::new(&page, actors::ordering(order.direction.into()))?))
}

/// `actors` for the SQL compiler: the same arguments read by the same code.
pub(crate) fn compiled(args: &Arguments<'_>) -> Option<ListRequest> {
    let (filter, window) = request(args.get("filter")?, args.get("orderBy")?, args.page()?).ok()?;
    Some(ListRequest::new(&actors::ACTORS, filter, window, NodeType::Actor))
}

/// Which actors to list; every criterion given must match. An empty list matches nothing.
#[derive(InputObject, Default)]
pub struct ActorFilter {
    /// Actors of any of these kinds.
    kinds: Option<Vec<ActorKind>>,
    /// Actors of any of these countries (ISO 3166-1 alpha-2, any case).
    country_codes: Option<Vec<String>>,
    /// A case-insensitive substring of the actor's name or of any of its aliases.
    name: Option<String>,
    /// Include archived records, which are left out by default.
    #[graphql(default)]
    include_archived: bool,
}

impl ActorFilter {
    fn into_service(self) -> Result<actors::ActorFilter, AppError> {
        Ok(actors::ActorFilter {
            include_archived: self.include_archived,
            kinds: self.kinds,
            country_codes: country_codes("filter.countryCodes", self.country_codes)?,
            name: self.name,
        })
    }
}

/// How to order actors.
#[derive(InputObject)]
pub struct ActorOrder {
    /// The key to sort by.
    #[graphql(default_with = "ActorOrderField::Name")]
    field: ActorOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Asc")]
    direction: OrderDirection,
}

impl Default for ActorOrder {
    fn default() -> Self {
        ActorOrder { field: ActorOrderField::Name, direction: OrderDirection::Asc }
    }
}

/// What actors can be ordered by; ties are broken by ID.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorOrderField {
    /// The name, compared case-insensitively.
    Name,
}
