//! Where events happened, as the filters read it: boxes through each backend's spatial index,
//! and circles as a bound on the distance between unit vectors (`domain::geo`).

use super::sql::Sql;
use crate::domain::geo;
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};

/// A latitude/longitude rectangle; `min_longitude > max_longitude` crosses the antimeridian.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    /// Southern edge.
    pub min_latitude: f64,
    /// Western edge.
    pub min_longitude: f64,
    /// Northern edge.
    pub max_latitude: f64,
    /// Eastern edge.
    pub max_longitude: f64,
}

/// The points within `radius_km` of a centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    /// The centre's latitude.
    pub latitude: f64,
    /// The centre's longitude.
    pub longitude: f64,
    /// The radius, in km; more than zero.
    pub radius_km: f64,
}

impl Near {
    /// A box holding the circle, for the spatial index.
    pub fn bounding_box(&self) -> BoundingBox {
        let (south, west, north, east) =
            geo::bounding_box(self.latitude, self.longitude, self.radius_km);
        BoundingBox {
            min_latitude: south,
            min_longitude: west,
            max_latitude: north,
            max_longitude: east,
        }
    }
}

/// Appends the condition that `e`'s coordinates lie in `bbox`, through the spatial index: a
/// GiST index on `point(longitude, latitude)` on PostgreSQL, the R*Tree `events_rtree` on
/// SQLite (whose 32-bit boxes are rounded outwards, so the exact bounds follow).
pub fn push_box(sql: &mut Sql, bbox: BoundingBox) {
    // The whole globe is "has coordinates": a map asking for every point it can draw should
    // not make the planner walk the spatial index, then sort, past an index on the order.
    let whole_globe = bbox.min_latitude <= -90.0
        && bbox.max_latitude >= 90.0
        && bbox.min_longitude <= -180.0
        && bbox.max_longitude >= 180.0;
    if whole_globe {
        sql.and().push("(e.latitude IS NOT NULL AND e.longitude IS NOT NULL)");
        return;
    }
    let halves = if bbox.min_longitude <= bbox.max_longitude {
        vec![(bbox.min_longitude, bbox.max_longitude)]
    } else {
        vec![(bbox.min_longitude, 180.0), (-180.0, bbox.max_longitude)]
    };
    sql.and().push("(");
    for (i, (west, east)) in halves.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        match sql.backend() {
            DbBackend::Postgres => {
                sql.push("point(e.longitude, e.latitude) <@ box(point(").bind(*west);
                sql.push(", ").bind(bbox.min_latitude).push("), point(").bind(*east);
                sql.push(", ").bind(bbox.max_latitude).push("))");
            }
            _ => {
                sql.push("(e.id IN (SELECT id FROM events_rtree WHERE max_lat >= ")
                    .bind(bbox.min_latitude);
                sql.push(" AND min_lat <= ").bind(bbox.max_latitude);
                sql.push(" AND max_lon >= ").bind(*west);
                sql.push(" AND min_lon <= ").bind(*east);
                sql.push(") AND e.latitude BETWEEN ").bind(bbox.min_latitude);
                sql.push(" AND ").bind(bbox.max_latitude);
                sql.push(" AND e.longitude BETWEEN ").bind(*west).push(" AND ").bind(*east);
                sql.push(")");
            }
        }
    }
    sql.push(")");
}

/// Appends the condition that `e` lies within `near`: inside its box (indexed), and within
/// the radius exactly.
pub fn push_near(sql: &mut Sql, near: Near) {
    push_box(sql, near.bounding_box());
    let [x, y, z] = geo::unit_vector(near.latitude, near.longitude);
    sql.and().push("((e.geo_x - ").bind(x).push(") * (e.geo_x - ").bind(x);
    sql.push(") + (e.geo_y - ").bind(y).push(") * (e.geo_y - ").bind(y);
    sql.push(") + (e.geo_z - ").bind(z).push(") * (e.geo_z - ").bind(z);
    sql.push(")) <= ").bind(geo::squared_chord(near.radius_km));
}

#[derive(FromQueryResult)]
struct Located {
    id: i32,
    latitude: f64,
    longitude: f64,
}

/// Writes the unit vector of every located event that lacks one (a SQLite database migrated
/// from before they existed; PostgreSQL's migration computes them itself).
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn fill_unit_vectors(db: &impl ConnectionTrait) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    sql.push(
        "SELECT id, latitude, longitude FROM events WHERE latitude IS NOT NULL \
         AND longitude IS NOT NULL AND geo_x IS NULL",
    );
    for event in Located::find_by_statement(sql.build()).all(db).await? {
        let [x, y, z] = geo::unit_vector(event.latitude, event.longitude);
        let mut sql = Sql::new(backend);
        sql.push("UPDATE events SET geo_x = ").bind(x).push(", geo_y = ").bind(y);
        sql.push(", geo_z = ").bind(z).push(" WHERE id = ").bind(event.id);
        db.execute_raw(sql.build()).await?;
    }
    Ok(())
}
