use super::{country_codes, OrderDirection};
use crate::domain::NodeType;
use crate::domain::{EventSubType, EventType, GeoPrecision};
use crate::error::AppError;
use crate::graphql::compiled::{Arguments, ListRequest};
use crate::graphql::context::db;
use crate::graphql::id::{decode_all, decode_as};
use crate::graphql::pagination::{args, connection, page_cost, Conn, Counter};
use crate::graphql::scalars::Date;
use crate::graphql::types::Event;
use crate::service::event::{self as events, BoundingBox as ServiceBox, EventSort};
use crate::service::page::{PageArgs, Window};
use crate::service::search::Relevance;
use async_graphql::{Context, Enum, InputObject, InputType, Object, Pos, Result, ID};

/// Listing and filtering events.
#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Events matching `filter`, latest first unless `orderBy` says otherwise.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilter>,
        order_by: Option<EventOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Event>> {
        let (filter, window) = request(filter, order_by, args(first, after, last, before))?;
        let page = events::list(db(ctx)?, &filter, &window).await?;
        Ok(connection(page, Event, Counter::Events(filter)))
    }
}

/// What `events` lists, read from its arguments.
fn request(
    filter: Option<EventFilter>,
    order_by: Option<EventOrder>,
    page: PageArgs,
) -> Result<(events::EventFilter, Window), AppError> {
    let filter = filter.map(EventFilter::into_service).transpose()?.unwrap_or_default();
    let order = order_by.unwrap_or_default();
    let ordering = events::ordering(order.field.into(), order.direction.into());
    let relevance = filter.search.clone().and_then(|text| Relevance::new(NodeType::Event, text));
    Ok((filter, Window::ranked(&page, ordering, relevance)?))
}

/// `events` for the SQL compiler: the same arguments read by the same code.
pub(crate) fn compiled(args: &Arguments<'_>) -> Option<ListRequest> {
    let (filter, window) = request(args.get("filter")?, args.get("orderBy")?, args.page()?).ok()?;
    // A score computed per row is left to the resolvers (`Ordering::cursor_sql`).
    if window.is_ranked() {
        return None;
    }
    Some(ListRequest::new(&events::EVENTS, filter, window, NodeType::Event))
}

/// The filter of `events(filter:)`, given as JSON with the GraphQL input's field names
/// (`{"countryCodes": ["KZ"], "from": "2022-01-01"}`): what the exports take. It is read by
/// the same code as the argument, so it is refused for the same reasons with the same codes.
///
/// # Errors
/// `BAD_USER_INPUT` (path `filter…`) for text that is not a JSON object, a field the input
/// does not have, a value of the wrong type, and every value the argument refuses (an unknown
/// country, `to` before `from`, a bad box); `INVALID_ID` for an ID this service did not issue.
pub(crate) fn filter_from_json(text: &str) -> Result<events::EventFilter, AppError> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|err| AppError::invalid_input("filter", format!("not JSON: {err}")))?;
    if !json.is_object() {
        return Err(AppError::invalid_input(
            "filter",
            "the filter is a JSON object with the fields of EventFilter, such as \
             {\"countryCodes\": [\"KZ\"]}",
        ));
    }
    let given = async_graphql::Value::from_json(json)
        .map_err(|err| AppError::invalid_input("filter", err.to_string()))?;
    let filter = <EventFilter as InputType>::parse(Some(given.clone())).map_err(|err| {
        AppError::invalid_input("filter", err.into_server_error(Pos::default()).message)
    })?;
    // Parsing skips fields the input does not have; a misspelt one must not widen the export
    // to every event.
    if let Some(err) = unknown_field(&given, &filter.to_value(), "filter") {
        return Err(err);
    }
    filter.into_service()
}

/// The first field of `given` that the parsed input `parsed` does not have, as an error.
fn unknown_field(
    given: &async_graphql::Value,
    parsed: &async_graphql::Value,
    path: &str,
) -> Option<AppError> {
    let (async_graphql::Value::Object(given), async_graphql::Value::Object(parsed)) =
        (given, parsed)
    else {
        return None;
    };
    given.iter().find_map(|(name, value)| match parsed.get(name) {
        None => Some(AppError::invalid_input(
            format!("{path}.{name}"),
            format!("{:?} is not a field of the filter", name.as_str()),
        )),
        Some(inner) => unknown_field(value, inner, &format!("{path}.{name}")),
    })
}

/// Which events to list; every criterion given must match. An empty list matches nothing.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Events of any of these types.
    types: Option<Vec<EventType>>,
    /// Events of any of these sub-types.
    sub_types: Option<Vec<EventSubType>>,
    /// Events in any of these countries (ISO 3166-1 alpha-2, any case).
    country_codes: Option<Vec<String>>,
    /// Events still ongoing on or after this day: `[startDate, endDate]` overlaps `[from, to]`.
    from: Option<Date>,
    /// Events begun on or before this day.
    to: Option<Date>,
    /// Events in which any of these actors took part.
    actor_ids: Option<Vec<ID>>,
    /// Direct sub-events of this event.
    parent_id: Option<ID>,
    /// Events with coordinates inside this box.
    bbox: Option<BoundingBox>,
    /// Events with coordinates within a distance of a point (great-circle distance).
    near: Option<NearInput>,
    /// Events located to any of these precisions: a map that wants points and towns, not
    /// country centroids, asks for `[EXACT, NEAR]`.
    geo_precisions: Option<Vec<GeoPrecision>>,
    /// Events whose title, summary or place match this full-text search, in the language of
    /// `search`: words (stemmed in English), `"a phrase"`, `-excluded`, `or`.
    search: Option<String>,
    /// Only machine-coded events no person has checked (`true`), or only the others
    /// (`false`).
    low_confidence: Option<bool>,
    /// Include archived records, which are left out by default.
    #[graphql(default)]
    include_archived: bool,
}

impl EventFilter {
    pub(super) fn into_service(self) -> Result<events::EventFilter, AppError> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to.0 < from.0 {
                return Err(AppError::invalid_input("filter.to", "`to` is before `from`"));
            }
        }
        Ok(events::EventFilter {
            include_archived: self.include_archived,
            types: self.types,
            sub_types: self.sub_types,
            country_codes: country_codes("filter.countryCodes", self.country_codes)?,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            actor_ids: self.actor_ids.map(|ids| decode_all(NodeType::Actor, &ids)).transpose()?,
            parent_id: self.parent_id.map(|id| decode_as(NodeType::Event, &id)).transpose()?,
            bbox: self.bbox.map(BoundingBox::into_service).transpose()?,
            near: self.near.map(NearInput::into_service).transpose()?,
            geo_precisions: self.geo_precisions,
            search: self.search,
            low_confidence: self.low_confidence,
        })
    }
}

/// A circle on the Earth's surface: every point within `radiusKm` of a centre.
#[derive(InputObject)]
pub struct NearInput {
    /// The centre's latitude, -90..90.
    latitude: f64,
    /// The centre's longitude, -180..180.
    longitude: f64,
    /// The radius in kilometres; more than zero.
    radius_km: f64,
}

impl NearInput {
    fn into_service(self) -> Result<events::Near, AppError> {
        coordinate("filter.near.latitude", self.latitude, 90.0)?;
        coordinate("filter.near.longitude", self.longitude, 180.0)?;
        if self.radius_km.is_nan() || self.radius_km <= 0.0 {
            return Err(AppError::invalid_input(
                "filter.near.radiusKm",
                format!("the radius must be more than zero, not {}", self.radius_km),
            ));
        }
        Ok(events::Near {
            latitude: self.latitude,
            longitude: self.longitude,
            radius_km: self.radius_km,
        })
    }
}

/// Refuses a latitude or longitude outside -`limit`..`limit`.
fn coordinate(path: &str, value: f64, limit: f64) -> Result<(), AppError> {
    if (-limit..=limit).contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid_input(path, format!("{value} is outside -{limit}..{limit}")))
    }
}

/// A latitude/longitude rectangle in WGS 84 degrees. A box whose `minLongitude` is greater
/// than its `maxLongitude` crosses the antimeridian.
#[derive(InputObject)]
pub struct BoundingBox {
    /// Southern edge, -90..90.
    min_latitude: f64,
    /// Western edge, -180..180.
    min_longitude: f64,
    /// Northern edge, -90..90; not below `minLatitude`.
    max_latitude: f64,
    /// Eastern edge, -180..180.
    max_longitude: f64,
}

impl BoundingBox {
    fn into_service(self) -> Result<ServiceBox, AppError> {
        for (name, value, limit) in [
            ("minLatitude", self.min_latitude, 90.0),
            ("maxLatitude", self.max_latitude, 90.0),
            ("minLongitude", self.min_longitude, 180.0),
            ("maxLongitude", self.max_longitude, 180.0),
        ] {
            coordinate(&format!("filter.bbox.{name}"), value, limit)?;
        }
        if self.min_latitude > self.max_latitude {
            return Err(AppError::invalid_input(
                "filter.bbox.maxLatitude",
                "maxLatitude is below minLatitude",
            ));
        }
        Ok(ServiceBox {
            min_latitude: self.min_latitude,
            min_longitude: self.min_longitude,
            max_latitude: self.max_latitude,
            max_longitude: self.max_longitude,
        })
    }
}

/// How to order events.
#[derive(InputObject)]
pub struct EventOrder {
    /// The key to sort by.
    #[graphql(default_with = "EventOrderField::StartDate")]
    field: EventOrderField,
    /// Which way.
    #[graphql(default_with = "OrderDirection::Desc")]
    direction: OrderDirection,
}

impl Default for EventOrder {
    fn default() -> Self {
        EventOrder { field: EventOrderField::StartDate, direction: OrderDirection::Desc }
    }
}

/// What events can be ordered by; ties are broken by ID.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventOrderField {
    /// The start date.
    StartDate,
    /// The title.
    Title,
    /// How well the event matches `filter.search` (the score `search` gives it), best first
    /// in the default direction. Needs `filter.search`.
    Relevance,
}

impl From<EventOrderField> for EventSort {
    fn from(field: EventOrderField) -> Self {
        match field {
            EventOrderField::StartDate => EventSort::StartDate,
            EventOrderField::Title => EventSort::Title,
            EventOrderField::Relevance => EventSort::Relevance,
        }
    }
}
