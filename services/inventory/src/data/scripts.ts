/**
 * The Lua scripts that change stock. Each operation is ONE script, so Redis runs it atomically
 * (no other command interleaves) and writes its effects to the AOF as one MULTI/EXEC block,
 * which a restart after a crash replays whole or not at all. Every script that changes a count
 * appends the SKU's new state to the outbox stream in the same step, so stock and change
 * records can never disagree.
 *
 * Times come from Redis' own clock (`TIME`), so several service instances share one clock for
 * deadlines. Replies are JSON (`cjson.encode`), parsed against zod schemas by the store.
 *
 * Key layout (prefix P, default `inventory:`): `P stock:<sku>` hash {onHand, reserved, version,
 * updatedAt}; `P reservation:<orderId>` hash {orderId, state, lines, createdAt, updatedAt,
 * expiresAt}; `P reservations:pending` sorted set of order ids by expiresAt; `P outbox` stream.
 * Every key a script touches is passed in KEYS, as Redis asks of scripts.
 */

// Shared fragments. Each script below is one self-contained text built from them.

const CLOCK = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

const COUNTS = `
-- A SKU that never had stock has no hash: both counts are 0.
local function counts(key)
  local v = redis.call('HMGET', key, 'onHand', 'reserved')
  return tonumber(v[1] or 0), tonumber(v[2] or 0)
end
`;

const CHANGE = `
-- Applies a change to one SKU's counts and appends the resulting state to the outbox in the
-- same atomic step: the change record exists exactly when the change does.
local function change(outbox, key, sku, d_on_hand, d_reserved, cause, order_id)
  local on_hand = redis.call('HINCRBY', key, 'onHand', d_on_hand)
  local reserved = redis.call('HINCRBY', key, 'reserved', d_reserved)
  local version = redis.call('HINCRBY', key, 'version', 1)
  redis.call('HSET', key, 'updatedAt', now)
  local record = { 'sku', sku, 'onHand', on_hand, 'reserved', reserved, 'available', on_hand - reserved,
    'version', version, 'at', now, 'cause', cause }
  if order_id then
    record[#record + 1] = 'orderId'
    record[#record + 1] = order_id
  end
  redis.call('XADD', outbox, '*', unpack(record))
end
`;

// KEYS[1] reservation hash, KEYS[2] pending set, KEYS[3] outbox, KEYS[3 + i] stock hash of line i.
// ARGV[1] order id, ARGV[2] the lines in canonical JSON ([[sku, quantity], …] sorted by SKU).
const RESERVATION = `
local reservation_key, pending_key, outbox_key = KEYS[1], KEYS[2], KEYS[3]
local order_id, lines_json = ARGV[1], ARGV[2]

local function reservation_fields()
  local flat = redis.call('HGETALL', reservation_key)
  local fields = {}
  for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  return fields
end

-- The lines (of the request, or of a stored reservation) that the stock cannot cover now.
local function shortages(lines)
  local short = {}
  for i, line in ipairs(lines) do
    local on_hand, reserved = counts(KEYS[3 + i])
    if on_hand - reserved < line[2] then
      short[#short + 1] = { sku = line[1], wanted = line[2], available = on_hand - reserved }
    end
  end
  return short
end

local function set_state(state)
  redis.call('HSET', reservation_key, 'state', state, 'updatedAt', now)
  redis.call('ZREM', pending_key, order_id)
end
`;

// The transitions of an existing reservation. The caller read the stored lines to name the stock
// keys; lines never change once stored, but a mismatch would touch the wrong keys, so it is refused.
const TRANSITION = `
local state = redis.call('HGET', reservation_key, 'state')
if not state then
  redis.call('ZREM', pending_key, order_id)
  return cjson.encode({ outcome = 'unknown' })
end
if redis.call('HGET', reservation_key, 'lines') ~= lines_json then
  return redis.error_reply("ERR inventory: the lines given for " .. order_id .. " are not the reservation's")
end
local lines = cjson.decode(lines_json)
local function result(outcome)
  return cjson.encode({ outcome = outcome, state = redis.call('HGET', reservation_key, 'state') })
end
`;

/**
 * reserve(orderId, lines, ttlMs). KEYS as {@link RESERVATION}; ARGV[3] the TTL in ms.
 * - A reservation for the order exists: nothing changes; `existing` when its lines are the
 *   request's (whatever its state: the caller decides), `conflict` otherwise. Both return it.
 * - Some line is short: nothing changes; `short` with `[{sku, wanted, available}]`.
 * - Otherwise `reserved += quantity` per line, the reservation is stored `pending` with
 *   `expiresAt = now + ttl` and added to the pending set by that deadline: `created`.
 */
export const RESERVE_SCRIPT = `${CLOCK}${COUNTS}${CHANGE}${RESERVATION}
local ttl = tonumber(ARGV[3])
local stored_lines = redis.call('HGET', reservation_key, 'lines')
if stored_lines then
  local outcome = 'existing'
  if stored_lines ~= lines_json then outcome = 'conflict' end
  return cjson.encode({ outcome = outcome, reservation = reservation_fields() })
end
local lines = cjson.decode(lines_json)
local short = shortages(lines)
if #short > 0 then return cjson.encode({ outcome = 'short', short = short }) end
for i, line in ipairs(lines) do change(outbox_key, KEYS[3 + i], line[1], 0, line[2], 'reserve', order_id) end
local expires_at = now + ttl
redis.call('HSET', reservation_key, 'orderId', order_id, 'state', 'pending', 'lines', lines_json,
  'createdAt', now, 'updatedAt', now, 'expiresAt', expires_at)
redis.call('ZADD', pending_key, expires_at, order_id)
return cjson.encode({ outcome = 'created', reservation = reservation_fields() })
`;

/**
 * confirm(orderId): the order's row was seen. KEYS/ARGV as {@link RESERVATION}.
 * pending → confirmed: per line `reserved -= q, onHand -= q` (`changed`).
 * expired → confirmed when every line is still available: `onHand -= q` (`changed`, `late`);
 * otherwise nothing changes (`short` with the shortages): the order outran its TTL and the stock
 * was sold meanwhile, which the caller must report.
 * confirmed, released: `unchanged`. No reservation: `unknown`.
 */
export const CONFIRM_SCRIPT = `${CLOCK}${COUNTS}${CHANGE}${RESERVATION}${TRANSITION}
if state == 'pending' then
  for i, line in ipairs(lines) do change(outbox_key, KEYS[3 + i], line[1], -line[2], -line[2], 'confirm', order_id) end
  set_state('confirmed')
  return result('changed')
end
if state == 'expired' then
  local short = shortages(lines)
  if #short > 0 then return cjson.encode({ outcome = 'short', state = state, short = short }) end
  for i, line in ipairs(lines) do change(outbox_key, KEYS[3 + i], line[1], -line[2], 0, 'confirm', order_id) end
  set_state('confirmed')
  return cjson.encode({ outcome = 'changed', state = 'confirmed', late = true })
end
return result('unchanged')
`;

/**
 * release(orderId): the order was cancelled. KEYS/ARGV as {@link RESERVATION}.
 * pending → released: `reserved -= q`; confirmed → released: `onHand += q` (`changed`).
 * released, expired: `unchanged` (the stock went back already). No reservation: `unknown`.
 */
export const RELEASE_SCRIPT = `${CLOCK}${COUNTS}${CHANGE}${RESERVATION}${TRANSITION}
if state == 'pending' then
  for i, line in ipairs(lines) do change(outbox_key, KEYS[3 + i], line[1], 0, -line[2], 'release', order_id) end
  set_state('released')
  return result('changed')
end
if state == 'confirmed' then
  for i, line in ipairs(lines) do change(outbox_key, KEYS[3 + i], line[1], line[2], 0, 'release', order_id) end
  set_state('released')
  return result('changed')
end
return result('unchanged')
`;

/**
 * expire(orderId): the sweeper found the order id due in the pending set. KEYS/ARGV as
 * {@link RESERVATION}. pending and `expiresAt <= now` → expired: `reserved -= q` (`changed`).
 * Anything else is `unchanged` (a confirm or release won the race) and leaves the pending set.
 */
export const EXPIRE_SCRIPT = `${CLOCK}${COUNTS}${CHANGE}${RESERVATION}${TRANSITION}
if state == 'pending' then
  if tonumber(redis.call('HGET', reservation_key, 'expiresAt')) > now then return result('unchanged') end
  for i, line in ipairs(lines) do change(outbox_key, KEYS[3 + i], line[1], 0, -line[2], 'expire', order_id) end
  set_state('expired')
  return result('changed')
end
redis.call('ZREM', pending_key, order_id)
return result('unchanged')
`;

/**
 * restock(sku, onHand): sets the count on hand. KEYS[1] the stock hash, KEYS[2] the outbox;
 * ARGV[1] the SKU, ARGV[2] the new count, ARGV[3] `if-absent` to set it only on a SKU that has
 * no stock record yet (`exists` otherwise, nothing changed).
 * Below the reserved count: nothing changes (`below-reserved`). The same count on an existing
 * record: `unchanged`, no change record. Otherwise `updated`. Replies with the counts after.
 */
export const RESTOCK_SCRIPT = `${CLOCK}${COUNTS}${CHANGE}
local stock_key, outbox_key = KEYS[1], KEYS[2]
local sku, target, only_if_absent = ARGV[1], tonumber(ARGV[2]), ARGV[3] == 'if-absent'
local on_hand, reserved = counts(stock_key)
-- A first stocking (the seed's) must never overwrite counts that orders have moved since.
if only_if_absent and redis.call('EXISTS', stock_key) == 1 then
  return cjson.encode({ outcome = 'exists', onHand = on_hand, reserved = reserved })
end
if target < reserved then
  return cjson.encode({ outcome = 'below-reserved', onHand = on_hand, reserved = reserved })
end
if target == on_hand and redis.call('EXISTS', stock_key) == 1 then
  return cjson.encode({ outcome = 'unchanged', onHand = on_hand, reserved = reserved })
end
change(outbox_key, stock_key, sku, target - on_hand, 0, 'restock', false)
return cjson.encode({ outcome = 'updated', onHand = target, reserved = reserved })
`;
