import type { Json, JsonObject } from "../dataset.js";
import { calendarTools, normalizeCalendar, type CalendarWorld } from "./calendar.js";
import { mailTools, normalizeInbox, type MailWorld } from "./mail.js";
import { asArray, asObject, parseDate, parseDateTime, str, ToolError, type Args, type SuiteState, type SuiteTools, type ToolFn } from "./runtime.js";

/**
 * The travel suite: a travel agent's catalog (hotels, restaurants, car rentals, flights) with reviews, the traveller's
 * profile, calendar and email, and the reservations the agent makes.
 */

const mail: MailWorld = {
  inbox: (state) => state.data["inbox"] as JsonObject,
  outbox: (state) => state.data["outbox"] as Json[],
  now: (state) => `${str((state.data["calendar"] as JsonObject)["current_day"])}T09:00:00`,
};
const calendar: CalendarWorld = { calendar: (state) => state.data["calendar"] as JsonObject, mail };

type Catalog = "hotels" | "restaurants" | "car_rental" | "flights";

function list(state: SuiteState, catalog: Catalog): JsonObject[] {
  return state.data[catalog] as JsonObject[];
}

/** Names the agent gave, resolved against a catalog: exact first, then ignoring case and a "Hotel"/"Restaurant" word. */
function resolveName(items: readonly JsonObject[], name: string): JsonObject | undefined {
  const exact = items.find((item) => item["name"] === name);
  if (exact) return exact;
  const fold = (value: string) =>
    value
      .toLowerCase()
      .replace(/\b(hotel|restaurant|car rental)\b/g, "")
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  const wanted = fold(name);
  return items.find((item) => fold(str(item["name"])) === wanted);
}

/** Looks up several names and returns one field of each as `{name: value}`; unknown names are skipped. */
function perName(catalog: Catalog, argument: string, tool: string, pick: (item: JsonObject) => Json): ToolFn {
  return (args: Args, ctx) => {
    const out: JsonObject = {};
    for (const name of args.strings(argument)) {
      const item = resolveName(list(ctx.state, catalog), name);
      if (item) out[str(item["name"])] = pick(item);
    }
    if (Object.keys(out).length === 0) throw new ToolError(`${tool}: none of ${args.strings(argument).map((n) => `\`${n}\``).join(", ")} is in the catalog`);
    return out;
  };
}

function inCity(catalog: Catalog, tool: string): ToolFn {
  return (args, ctx) => {
    const city = args.string("city");
    const names = list(ctx.state, catalog)
      .filter((item) => str(item["city"]).toLowerCase() === city.toLowerCase())
      .map((item) => str(item["name"]));
    if (names.length === 0) throw new ToolError(`${tool}: nothing found in \`${city}\``);
    return names;
  };
}

const reviews = (item: JsonObject): Json => ({ rating: item["rating"] ?? null, reviews: item["reviews"] ?? [] });

function reserve(state: SuiteState, id: string, reservation: JsonObject): JsonObject {
  const entry = { id, ...reservation };
  (state.data["reservations"] as JsonObject[]).push(entry);
  return entry;
}

const travelTools: Record<string, ToolFn> = {
  get_user_information: (_args, ctx) => ({ ...(ctx.state.data["user"] as JsonObject) }),
  get_all_hotels_in_city: inCity("hotels", "get_all_hotels_in_city"),
  get_hotels_prices: perName("hotels", "hotel_names", "get_hotels_prices", (h) => `Price range: ${str(h["price_min"])} - ${str(h["price_max"])}`),
  get_rating_reviews_for_hotels: perName("hotels", "hotel_names", "get_rating_reviews_for_hotels", reviews),
  get_hotels_address(args, ctx) {
    const name = args.string("hotel_name");
    const hotel = resolveName(list(ctx.state, "hotels"), name);
    if (!hotel) throw new ToolError(`get_hotels_address: no hotel named \`${name}\``);
    return { [str(hotel["name"])]: hotel["address"] ?? null };
  },
  get_all_restaurants_in_city: inCity("restaurants", "get_all_restaurants_in_city"),
  get_cuisine_type_for_restaurants: perName("restaurants", "restaurant_names", "get_cuisine_type_for_restaurants", (r) => r["cuisine_type"] ?? null),
  get_restaurants_address: perName("restaurants", "restaurant_names", "get_restaurants_address", (r) => r["address"] ?? null),
  get_rating_reviews_for_restaurants: perName("restaurants", "restaurant_names", "get_rating_reviews_for_restaurants", reviews),
  get_dietary_restrictions_for_all_restaurants: perName("restaurants", "restaurant_names", "get_dietary_restrictions_for_all_restaurants", (r) => r["dietary_restrictions"] ?? null),
  get_contact_information_for_restaurants: perName("restaurants", "restaurant_names", "get_contact_information_for_restaurants", (r) => r["contact_information"] ?? null),
  get_price_for_restaurants: perName("restaurants", "restaurant_names", "get_price_for_restaurants", (r) => r["price_per_person"] ?? null),
  check_restaurant_opening_hours: perName("restaurants", "restaurant_names", "check_restaurant_opening_hours", (r) => r["operating_hours"] ?? null),
  get_all_car_rental_companies_in_city: inCity("car_rental", "get_all_car_rental_companies_in_city"),
  get_car_types_available: perName("car_rental", "company_name", "get_car_types_available", (c) => c["car_types_available"] ?? []),
  get_rating_reviews_for_car_rental: perName("car_rental", "company_name", "get_rating_reviews_for_car_rental", reviews),
  get_car_fuel_options: perName("car_rental", "company_name", "get_car_fuel_options", (c) => c["fuel_options"] ?? []),
  get_car_rental_address: perName("car_rental", "company_name", "get_car_rental_address", (c) => c["address"] ?? null),
  get_car_price_per_day: perName("car_rental", "company_name", "get_car_price_per_day", (c) => c["price_per_day"] ?? null),
  reserve_hotel(args, ctx) {
    const hotel = resolveName(list(ctx.state, "hotels"), args.string("hotel"));
    if (!hotel) throw new ToolError(`reserve_hotel: no hotel named \`${args.string("hotel")}\``);
    const start = parseDate("reserve_hotel", "start_day", args.string("start_day"));
    const end = parseDate("reserve_hotel", "end_day", args.string("end_day"));
    if (end <= start) throw new ToolError("reserve_hotel: `end_day` must be after `start_day`");
    const id = ctx.nextId("reservation");
    ctx.created(id);
    return reserve(ctx.state, id, { type: "hotel", name: str(hotel["name"]), start, end, contact: str(hotel["address"]) });
  },
  reserve_car_rental(args, ctx) {
    const company = resolveName(list(ctx.state, "car_rental"), args.string("company"));
    if (!company) throw new ToolError(`reserve_car_rental: no car rental company named \`${args.string("company")}\``);
    const start = parseDateTime("reserve_car_rental", "start_time", args.string("start_time"));
    const end = args.has("end_time") ? parseDateTime("reserve_car_rental", "end_time", args.string("end_time")) : start;
    const id = ctx.nextId("reservation");
    ctx.created(id);
    return reserve(ctx.state, id, { type: "car", name: str(company["name"]), start, end, contact: str(company["contact_information"]) });
  },
  reserve_restaurant(args, ctx) {
    const restaurant = resolveName(list(ctx.state, "restaurants"), args.string("restaurant"));
    if (!restaurant) throw new ToolError(`reserve_restaurant: no restaurant named \`${args.string("restaurant")}\``);
    const start = parseDateTime("reserve_restaurant", "start_time", args.string("start_time"));
    const endDate = new Date(`${start}:00Z`);
    endDate.setUTCHours(endDate.getUTCHours() + 2);
    const id = ctx.nextId("reservation");
    ctx.created(id);
    return reserve(ctx.state, id, { type: "restaurant", name: str(restaurant["name"]), start, end: endDate.toISOString().slice(0, 16), contact: str(restaurant["contact_information"]) });
  },
  get_flight_information(args, ctx) {
    const from = args.string("departure_city").toLowerCase();
    const to = args.string("arrival_city").toLowerCase();
    const flights = list(ctx.state, "flights").filter((f) => str(f["departure_city"]).toLowerCase() === from && str(f["arrival_city"]).toLowerCase() === to);
    if (flights.length === 0) throw new ToolError(`get_flight_information: no flights from \`${args.string("departure_city")}\` to \`${args.string("arrival_city")}\``);
    return flights;
  },
};

export const travel: SuiteTools = {
  suite: "travel",
  init(tree): SuiteState {
    const inbox = normalizeInbox(tree["inbox"]);
    const cal = normalizeCalendar(tree["calendar"]);
    const catalog = (key: string, inner: string): JsonObject[] =>
      asArray(asObject(tree[key] ?? { [inner]: [] }, key)[inner], `${key}.${inner}`).map((item) => ({ ...asObject(item, key) }));
    return {
      data: {
        user: { ...asObject(tree["user"] ?? {}, "user") },
        inbox: inbox.inbox,
        calendar: cal.calendar,
        hotels: catalog("hotels", "hotel_list"),
        restaurants: catalog("restaurants", "restaurant_list"),
        car_rental: catalog("car_rental", "company_list"),
        flights: catalog("flights", "flight_list"),
        // The environment's single `reservation` slot starts empty; an agent may book several things.
        reservations: [],
        outbox: [],
      },
      meta: { next: { email: inbox.nextId, event: cal.nextId, reservation: 0 }, fixed: {} },
    };
  },
  tools: { ...travelTools, ...mailTools(mail), ...calendarTools(calendar) },
};
