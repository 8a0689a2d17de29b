// Where the map draws a country: its outline in the world-atlas 110m
// TopoJSON (shipped as countries.json), found from the ISO 3166-1 alpha-2
// code the API gives through the numeric code the atlas uses as id. The
// code table is i18n-iso-countries' own (only its codes, no names).

import { geoArea, geoBounds, geoCentroid } from "d3-geo";
import codes from "i18n-iso-countries/codes.json";

const NUMERIC = new Map(codes.map(([alpha2, , numeric]) => [alpha2, numeric]));
// Kosovo has no ISO numeric code; the atlas gives its outline no id either.
const BY_NAME = { XK: "Kosovo" };

// The largest polygon of a country: its centre and extent are the
// mainland's, not pulled off by overseas territories (France and French
// Guiana, the United States and Hawaii).
function mainland(geometry) {
  if (!geometry || geometry.type !== "MultiPolygon") return geometry;
  let best = null;
  let bestArea = -1;
  for (const coordinates of geometry.coordinates) {
    const polygon = { type: "Polygon", coordinates };
    const area = geoArea(polygon);
    if (area > bestArea) {
      best = polygon;
      bestArea = area;
    }
  }
  return best;
}

// features: the atlas' countries. Returns code => { name, feature,
// centre: [lon, lat], bounds: [[x0, y0], [x1, y1]] } or null for a country
// the 110m outlines leave out (most islands and city states).
export function countryLocator(features) {
  const byId = new Map();
  const byName = new Map();
  for (const f of features) {
    if (f.id != null) byId.set(String(f.id), f);
    if (f.properties && f.properties.name) byName.set(f.properties.name, f);
  }
  const cache = new Map();
  return (code) => {
    if (!code) return null;
    const key = code.toUpperCase();
    if (cache.has(key)) return cache.get(key);
    const feature = (NUMERIC.has(key) && byId.get(NUMERIC.get(key))) || (BY_NAME[key] && byName.get(BY_NAME[key])) || null;
    let found = null;
    if (feature && feature.geometry) {
      const main = mainland(feature.geometry);
      found = { feature, name: feature.properties && feature.properties.name, centre: geoCentroid(main), bounds: geoBounds(main) };
    }
    cache.set(key, found);
    return found;
  };
}
