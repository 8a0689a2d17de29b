//! Distances on the Earth's surface, in the forms the databases can compare without
//! trigonometry: a located event keeps its position as a unit vector, and "within r km" is a
//! bound on the straight-line (chord) distance between unit vectors.

/// The Earth's mean radius, in km (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The point at latitude `lat` and longitude `lon` (degrees) as a unit vector.
pub fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The great-circle distance in km between two points given in degrees (haversine).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The squared chord between two unit vectors whose points are `km` apart along the surface:
/// a point is within `km` of another exactly when the squared distance between their unit
/// vectors is at most this.
pub fn squared_chord(km: f64) -> f64 {
    let angle = (km / EARTH_RADIUS_KM).min(std::f64::consts::PI);
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord
}

/// A box that holds every point within `km` of (`lat`, `lon`): south, west, north, east, in
/// degrees; west > east when it crosses the antimeridian; all longitudes when the circle
/// reaches a pole.
pub fn bounding_box(lat: f64, lon: f64, km: f64) -> (f64, f64, f64, f64) {
    let angle = (km / EARTH_RADIUS_KM).to_degrees();
    let (south, north) = (lat - angle, lat + angle);
    if south <= -90.0 || north >= 90.0 || angle >= 90.0 {
        return (south.max(-90.0), -180.0, north.min(90.0), 180.0);
    }
    // The widest longitude span of the circle, at the latitude where it touches its meridians.
    let span = ((km / EARTH_RADIUS_KM).sin() / lat.to_radians().cos()).min(1.0).asin().to_degrees();
    let wrap = |x: f64| {
        if x < -180.0 {
            x + 360.0
        } else if x > 180.0 {
            x - 360.0
        } else {
            x
        }
    };
    if span >= 180.0 {
        return (south, -180.0, north, 180.0);
    }
    (south, wrap(lon - span), north, wrap(lon + span))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALMATY: (f64, f64) = (43.2567, 76.9286);
    const ASTANA: (f64, f64) = (51.1694, 71.4491);

    fn squared_distance(a: [f64; 3], b: [f64; 3]) -> f64 {
        (0..3).map(|i| (a[i] - b[i]).powi(2)).sum()
    }

    #[test]
    fn almaty_to_astana_is_about_970_km() {
        let km = distance_km(ALMATY, ASTANA);
        assert!((960.0..980.0).contains(&km), "{km}");
    }

    #[test]
    fn the_chord_bound_agrees_with_the_great_circle_distance() {
        let (a, b) = (unit_vector(ALMATY.0, ALMATY.1), unit_vector(ASTANA.0, ASTANA.1));
        let km = distance_km(ALMATY, ASTANA);
        assert!(squared_distance(a, b) <= squared_chord(km + 0.01));
        assert!(squared_distance(a, b) > squared_chord(km - 0.01));
    }

    #[test]
    fn boxes_hold_their_circle_across_the_antimeridian_and_at_the_poles() {
        let (south, west, north, east) = bounding_box(-17.7, 179.9, 100.0);
        assert!(west > east, "crosses the antimeridian: {west} {east}");
        assert!(south < -17.7 && north > -17.7);
        let (_, west, north, east) = bounding_box(89.5, 0.0, 200.0);
        assert_eq!((west, north, east), (-180.0, 90.0, 180.0));
        // A point 99 km east of the centre lies inside the box.
        let (_, west, _, east) = bounding_box(60.0, 10.0, 100.0);
        let east_point = 10.0 + (99.0 / (EARTH_RADIUS_KM * 60f64.to_radians().cos())).to_degrees();
        assert!(west < 10.0 && east_point < east);
    }
}
