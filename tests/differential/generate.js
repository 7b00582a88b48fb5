// A seeded generator of Segment events for the differential harness: realistic events mixed
// with hostile ones — JavaScript string semantics (every White_Space character `trim` strips,
// and some it keeps; full case mapping; UTF-16 indexes), values of the wrong JSON type at every
// path the mappings read, timestamps in the shapes dayjs and `Date` meet, products in odd shapes
// and integration overrides. The same seed gives the same events.
'use strict'

/** mulberry32: a small, fast, seeded PRNG. */
function rng(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)]
  }
  return r
}

// Every character JavaScript's trim() strips (WhiteSpace + LineTerminator), and White_Space
// characters it keeps (U+0085, U+180E is not White_Space but was once Zs).
const TRIMMED = [
  '\u0009', '\u000A', '\u000B', '\u000C', '\u000D', '\u0020', '\u00A0', '\u1680', '\u2000', '\u2001',
  '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A', '\u2028',
  '\u2029', '\u202F', '\u205F', '\u3000', '\uFEFF'
]
const KEPT = ['\u0085', '\u180E', '\u200B']
const CASE = ['İ', 'ß', 'Σ', 'ΑΣ', 'ﬁ', 'ǅ', 'Ω', 'K', 'Å', 'I', 'ı', 'ŉ', '𐐀', '😀', 'é', 'ẞ']

function spaces(r) {
  let s = ''
  const n = r.int(3)
  for (let i = 0; i < n; i++) s += r.chance(0.85) ? r.pick(TRIMMED) : r.pick(KEPT)
  return s
}
const wrap = (r, s) => (r.chance(0.35) ? spaces(r) + s + spaces(r) : s)

const hex64 = (r, upper) => {
  let s = ''
  for (let i = 0; i < 64; i++) s += '0123456789abcdef'[r.int(16)]
  return upper ? s.toUpperCase() : s
}

function email(r) {
  return r.pick([
    () => 'Test@Test.com',
    () => '  John.Doe+promo@Gmail.COM  ',
    () => 'Al.ice$+Apple@Example.Com',
    () => `${r.pick(CASE)}ser.${r.pick(CASE)}@Exa${r.pick(CASE)}mple.com`,
    () => 'no-at-sign.example.com',
    () => '@',
    () => 'a@b@c.com',
    () => '.+@x',
    () => hex64(r, r.chance(0.5)),
    () => ' ' + hex64(r, false),
    () => '',
    () => '   ',
    () => 'ΑΣ@ΣΑΣ.gr',
    () => 'İSTANBUL@EXAMPLE.COM'
  ])()
}

function phone(r) {
  return r.pick([
    () => '1-(650)-555   - 1212 ExT 450',
    () => '+15554441234',
    () => '1-650-555   - 1212 x450',
    () => '+44 20 7946 0958 #12',
    () => '555 0100 poste 3',
    () => '555 0100 anexo 3 ext 4',
    () => 'İ123x45',
    () => 'İİ5551234X9',
    () => 'ß+1 555 int 9',
    () => '(555) 010-0199 INT 7',
    () => '+',
    () => 'x',
    () => hex64(r, false),
    () => '',
    () => '٣٤٥٦'
  ])()
}

// Timestamps in the shapes dayjs and the JavaScript Date parser meet.
function timestamp(r) {
  const y = r.pick(['2024', '2023', '1999', '0099', '2024'])
  const mo = r.pick(['01', '02', '12', '13', '00', '1', '7'])
  const d = r.pick(['08', '30', '31', '29', '00', '1', '32'])
  const shapes = [
    () => '2024-01-08T13:52:50.212Z',
    () => new Date(Date.UTC(2024, r.int(12), 1 + r.int(28), r.int(24), r.int(60), r.int(60), r.int(1000))).toISOString(),
    () => `${y}-${mo}-${d}T00:00:00Z`,
    () => `${y}-${mo}-${d}`,
    () => `${y}/${mo}/${d} 10:00`,
    () => `${y}${mo}${d}`,
    () => '2024-02-30T00:00:00Z',
    () => '2024-01-08t13:52:50z',
    () => '2024-01-08T13:52:50',
    () => '2024-01-08T13:52:50.212+05:00',
    () => '2024-01-08T13:52:50+0530',
    () => '2024-01-08T24:00:00Z',
    () => '2024-01-08T24:00:01Z',
    () => '2024-01-08T25:00:00Z',
    () => '2024-01-08T13:52:50.123456789Z',
    () => '2024-01-08 13:52:50 UTC',
    () => '2024-01-08 13:52:50 PST',
    () => 'Mon, 08 Jan 2024 13:52:50 GMT',
    () => 'Mon Jan 08 2024 13:52:50 GMT+0000 (Coordinated Universal Time)',
    () => 'January 8, 2024 1:52 PM',
    () => '8 January 2024',
    () => 'Jan 2024',
    () => 'next tuesday',
    () => 'abc 2024',
    () => '2024',
    () => '1',
    () => '12',
    () => '+002024-01-08T00:00:00Z',
    () => '-000000-01-01T00:00:00Z',
    () => '+275760-09-13T00:00:00.000Z',
    () => '+275760-09-13T00:00:00.001Z',
    () => '1704721970',
    () => '1704721970212',
    () => '1704721970212000',
    () => '-5',
    () => '1.5',
    () => '1e+21',
    () => 'NaN',
    () => 'Infinity',
    () => '0x10',
    () => '',
    () => ' ',
    () => spaces(r) + '2024-01-08T13:52:50.212Z' + spaces(r),
    () => '\u20032024-01-08T13:52:50.212Z\u2003',
    () => '\u30002024-01-08\u3000',
    () => ' 2024-01-08 ',
    () => '2024-01-08\n',
    () => '2024-01-08T13:52:50.212Z (comment)',
    () => '(c) 2024-01-08',
    () => '2024-01-08 10:00 am',
    () => '2024-01-08 13:00 pm',
    () => '12/31/2024',
    () => '31/12/2024',
    () => '2024-W02',
    () => '2024.01.08',
    () => 'Z',
    () => 'T10:00'
  ]
  return r.pick(shapes)()
}

// A value of the wrong JSON type (or an empty one) for any path.
function wrong(r) {
  return r.pick([
    () => null,
    () => '',
    () => 0,
    () => 42,
    () => -1.5,
    () => 1e21,
    () => 12345678901234567890,
    () => true,
    () => false,
    () => [],
    () => ['one'],
    () => ['a', 'b'],
    () => [7],
    () => {
      return {}
    },
    () => {
      return { nested: 'x' }
    },
    () => '12.50',
    () => ' 3 ',
    () => '0x1A',
    () => '1e3',
    () => 'abc'
  ])()
}

const CURRENCIES = ['USD', 'EUR', 'JPY', 'CHF', 'usd', 'XXX', 'BTC', 'ZWL', 'AED', ' USD', 'GBP', 'SLE', 'VED']
const NAMES = ['Order Completed', 'Product Added', 'Product Viewed', 'Products Searched', 'Signed Up', 'Lead Generated', 'Product Added to Wishlist', 'Checkout Step']

function product(r) {
  if (r.chance(0.15)) return wrong(r)
  const p = {}
  if (r.chance(0.8)) p.product_id = r.chance(0.8) ? wrap(r, `sku-${r.int(1000)}`) : wrong(r)
  if (r.chance(0.7)) p.name = r.chance(0.8) ? wrap(r, `Name ${r.pick(CASE)} & <Co>`) : wrong(r)
  if (r.chance(0.6)) p.category = r.chance(0.8) ? wrap(r, r.pick(['Shoes', 'Books', ''])) : wrong(r)
  if (r.chance(0.6)) p.price = r.chance(0.7) ? r.int(10000) / 100 : wrong(r)
  if (r.chance(0.5)) p.quantity = r.chance(0.7) ? 1 + r.int(5) : wrong(r)
  if (r.chance(0.2)) p.extra = 'kept by Segment?'
  return p
}

function products(r) {
  return r.pick([
    () => [product(r), product(r)],
    () => [product(r)],
    () => [],
    () => product(r),
    () => [null, product(r), '', 'x'],
    () => wrong(r),
    () => [[product(r)]]
  ])()
}

// Sets `value` at `path` (dotted) in `obj`.
function setPath(obj, path, value) {
  const keys = path.split('.')
  let o = obj
  for (const k of keys.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object' || Array.isArray(o[k])) o[k] = {}
    o = o[k]
  }
  o[keys[keys.length - 1]] = value
}

// The paths the mappings read; each may get a value of the wrong type.
const PATHS = [
  'timestamp', 'messageId', 'userId', 'anonymousId', 'event',
  'properties.click_id', 'properties.currency', 'properties.quantity', 'properties.revenue', 'properties.total',
  'properties.price', 'properties.email', 'properties.phone', 'properties.uuid', 'properties.products',
  'properties.plan', 'properties.first', 'properties.last',
  'context.traits.email', 'context.traits.phone', 'context.ip', 'context.userAgent', 'context.device.advertisingId',
  'context.device.type', 'context.screen.height', 'context.screen.width', 'context.page.url',
  'integrations.Reddit Conversions Api.click_id', 'integrations.Reddit Conversions Api.uuid',
  'properties.country', 'properties.region', 'properties.modes'
]

// Good values for realistic events (still with JavaScript string edge cases).
const GOOD_EMAILS = ['Test@Test.com', '  John.Doe+promo@Gmail.COM  ', 'Al.ice$+Apple@Example.Com', 'ΑΣ@ΣΑΣ.gr', 'İSTANBUL@EXAMPLE.COM', 'a@b@c.com', '.+@x']
const GOOD_CURRENCIES = ['USD', 'EUR', 'JPY', 'CHF', 'GBP', 'AED', 'ZWL', 'SLE', 'VED']
const GOOD_TIMES = [
  '2024-01-08T13:52:50.212Z', '2024-02-30T00:00:00Z', '2024-01-08', '2024-01-08T13:52:50.212+05:00', '1704721970212',
  'Mon, 08 Jan 2024 13:52:50 GMT', '2024-01-08 13:52:50 PST', '\u30002024-01-08\u3000', 'abc 2024'
]

/** A realistic event: what most of the traffic looks like (the rest is hostile). */
function realistic(r, e) {
  const p = e.properties
  if ('currency' in p) p.currency = r.pick(GOOD_CURRENCIES)
  if ('quantity' in p) p.quantity = 1 + r.int(9)
  if ('revenue' in p) p.revenue = r.int(100000) / 100
  if ('price' in p) p.price = r.int(10000) / 100
  if ('email' in p) p.email = r.pick(GOOD_EMAILS)
  if (e.context.traits) e.context.traits.email = r.pick(GOOD_EMAILS)
  if (e.context.screen) e.context.screen = { height: r.pick([1080, 768, 40000]), width: r.pick([1920, 360]) }
  if ('products' in p) {
    p.products = [0, 1].map(() => ({
      product_id: wrap(r, `sku-${r.int(1000)}`),
      name: `Name ${r.pick(CASE)} & <Co>`,
      category: r.pick(['Shoes', ' Books ', '']),
      price: r.int(10000) / 100,
      quantity: 1 + r.int(3)
    }))
  }
  if ('country' in p) p.country = r.pick(['US', 'DE'])
  if ('modes' in p) p.modes = 'LDU'
  e.timestamp = r.chance(0.7) ? '2024-01-08T13:52:50.212Z' : r.pick(GOOD_TIMES)
  return e
}

// Objects the mapped paths go through; each may be replaced by a value of another type
// (mapping-kit's get answers `prev && prev[key]`: a falsy value met on the way is the result).
const PARENTS = ['properties', 'context', 'context.traits', 'context.device', 'context.screen', 'integrations',
  'integrations.Reddit Conversions Api']

function event(r, i) {
  const hostile = r.chance(0.4)
  const type = r.chance(0.85) ? 'track' : r.pick(['page', 'identify'])
  const e = {
    type,
    messageId: wrap(r, r.chance(0.9) ? `msg-${i}-${r.int(1e6)}` : hex64(r, r.chance(0.5))),
    timestamp: r.chance(0.6) ? '2024-01-08T13:52:50.212Z' : timestamp(r),
    properties: {},
    context: {}
  }
  if (type === 'track') e.event = r.pick(NAMES)
  if (r.chance(0.8)) e.userId = wrap(r, r.chance(0.9) ? `user_${r.int(1000)}` : `${r.pick(CASE)}user`)
  if (r.chance(0.5)) e.anonymousId = wrap(r, `anon-${r.int(1000)}`)
  const p = e.properties
  if (r.chance(0.5)) p.click_id = wrap(r, `cid_${r.int(1000)}`)
  if (r.chance(0.7)) p.currency = r.pick(CURRENCIES)
  if (r.chance(0.6)) p.quantity = r.chance(0.8) ? 1 + r.int(9) : r.pick([2.5, '3', '2.0', 0])
  if (r.chance(0.5)) p.revenue = r.chance(0.8) ? r.int(100000) / 100 : r.pick(['19.99', '1,5', 1e21, -0, 0.1 + 0.2])
  if (r.chance(0.4)) p.total = r.int(10000) / 10
  if (r.chance(0.4)) p.price = r.chance(0.8) ? r.int(10000) / 100 : r.pick(['9.99', 'free', 5e-7, 123456789.123])
  if (r.chance(0.5)) p.products = products(r)
  if (r.chance(0.4)) p.email = email(r)
  if (r.chance(0.3)) p.phone = phone(r)
  if (r.chance(0.3)) p.uuid = wrap(r, `${Date.UTC(2024, 0, 8)}.uuid-${r.int(1000)}`)
  if (r.chance(0.5)) p.plan = r.pick(['Team & <Co>', '"quoted" \'single\'', `${r.pick(CASE)} plan`, '{{x}}', 'a/b=c'])
  if (r.chance(0.4)) p.first = r.pick(['Ada', ' Grace ', 'İ', ''])
  if (r.chance(0.4)) p.last = r.pick(['Lovelace', 'Hopper', 'Σ', null])
  if (r.chance(0.3)) p.country = r.pick(['US', 'us', 'DE', 'XX', ''])
  if (r.chance(0.3)) p.region = wrap(r, r.pick(['US-CA', 'CA', '']))
  if (r.chance(0.3)) p.modes = r.pick(['LDU', 'LDU,XYZ', 'ldu', '', 'LDU '])
  const c = e.context
  if (r.chance(0.6)) c.ip = wrap(r, r.pick(['111.111.111.111', '2001:db8::1', '  10.0.0.1 ']))
  if (r.chance(0.6)) c.userAgent = wrap(r, 'Mozilla/5.0 (X11; Linux x86_64)')
  if (r.chance(0.4)) c.traits = { email: email(r), ...(r.chance(0.5) ? { phone: phone(r) } : {}) }
  if (r.chance(0.4)) {
    c.device = {
      advertisingId: r.pick(['38400000-8cf0-11bd-b23e-10b96e40000d', ' AB-cd ', '', hex64(r, true)]),
      type: r.pick(['ios', 'iOS', 'android', ' ios', '', 'ipados'])
    }
  }
  if (r.chance(0.4)) c.screen = { height: r.pick([1080, 0, 40000, '768', 2.5]), width: r.pick([1920, 360]) }
  if (r.chance(0.3)) c.page = { url: 'https://example.com/checkout?x=1' }
  if (r.chance(0.3)) {
    e.integrations = {
      All: r.chance(0.5),
      'Reddit Conversions Api': r.pick([
        { click_id: wrap(r, 'rdt_cid_override'), uuid: 'uuid-override' },
        { click_id: null, uuid: '' },
        { click_id: '' },
        true,
        false,
        {}
      ])
    }
  }
  if (!hostile) return realistic(r, e)
  // Values of the wrong type at mapped paths.
  const wrongs = r.chance(0.7) ? 1 + r.int(3) : 0
  for (let k = 0; k < wrongs; k++) setPath(e, r.pick(PATHS), wrong(r))
  if (r.chance(0.15)) setPath(e, r.pick(PARENTS), r.pick([0, '', false, true, 'text', [], [{ email: 'a@b.c' }], 7]))
  if (r.chance(0.05)) delete e.timestamp
  return e
}

// The classes where a port of JavaScript drifts from the release (issue 24), each a mutation of
// an event; what JSON.stringify cannot write (a number's own text, deep nesting) goes in as a
// placeholder string replaced by raw JSON text.

// Paths the mappings read numbers from, and paths that hash or send strings (ids, identifiers).
const NUMBER_PATHS = ['properties.quantity', 'properties.revenue', 'properties.price', 'properties.total',
  'context.screen.height', 'context.screen.width']
const STRING_PATHS = ['messageId', 'userId', 'anonymousId', 'properties.email', 'properties.phone',
  'properties.click_id', 'properties.uuid', 'properties.plan', 'properties.first', 'context.traits.email',
  'context.traits.phone', 'context.ip', 'context.userAgent', 'context.device.advertisingId',
  'integrations.Reddit Conversions Api.click_id', 'properties.currency', 'properties.country']

/** 16 or 17 significant digits: about one in nine is misread by a reader not correctly rounded. */
function longDecimal(r) {
  const n = 16 + r.int(2)
  let digits = String(1 + r.int(9))
  for (let i = 1; i < n; i++) digits += r.int(10)
  const point = 1 + r.int(n - 1)
  return r.pick([
    () => `${digits.slice(0, point)}.${digits.slice(point)}`,
    () => `-${digits.slice(0, point)}.${digits.slice(point)}`,
    () => `${digits}.0`,
    () => digits,
    () => `${digits[0]}.${digits.slice(1)}e${r.int(60) - 30}`,
    () => `0.${digits}`,
    () => r.pick(['1593.4099999999999', '1755507896.6650605', '9007199254740993.0', '9007199254740993',
      '0.30000000000000004', '2.2250738585072011e-308', '1.0000000000000002'])
  ])()
}

/** Numbers past the double range and at its edges (JSON.parse: ±Infinity, the nearest double). */
function hugeNumber(r) {
  return r.pick(['1e400', '-1e400', '1.7976931348623158e308', '1.7976931348623159e308', '-1.7976931348623157e308',
    '2e308', '123456789012345678901234567890e300', '1e-400', '4.9e-324', '2.4703282292062328e-324',
    '18446744073709551615', '-9223372036854775808', '1' + '0'.repeat(310)])
}

/** A JavaScript string holding a lone surrogate (a client cutting an emoji in half). */
function loneSurrogate(r, base) {
  const lone = r.pick(['\ud83c', '\ud83d', '\udc00', '\udfff', '\ud800', '\udbff'])
  return r.pick([
    () => lone,
    () => `${base}${lone}`,
    () => `${lone}${base}`,
    () => `${base.slice(0, 1)}${lone}${base.slice(1)}`,
    () => `\ud83c\ud83c\udf89${base}`,
    () => `${base}\udf89\ud83c`,
    () => ` ${lone}x@Example.COM `
  ])()
}

/** What AJV coerces for a number or an integer (`data && data == +data`), and what it does not. */
function coercible(r) {
  return r.pick([' ', '\t', '\u00a0', '\u2003', '\n', '\ufeff', '  \u3000 ', 'Infinity', '-Infinity',
    '+Infinity', '1e400', '-1e400', ' 12 ', '0x1A', '0b11', '0o17', '1e-400', '.5', '5.', '-0', 'infinity', 'NaN',
    '1_000', '\u00a012\u00a0', '-0x10', '1e'])
}

/** `depth` levels of arrays and objects, as JSON text. */
function nested(r, depth) {
  let open = ''
  let close = ''
  for (let i = 0; i < depth; i++) {
    if (r.chance(0.5)) {
      open += '['
      close = ']' + close
    } else {
      open += '{"k":'
      close = '}' + close
    }
  }
  return open + r.pick(['1', '"x"', 'null', '[]']) + close
}

/** Mutates `e` for one class; raw JSON texts go in `raws` (the placeholder's index). */
const CLASSES = {
  decimals(r, e, raw) {
    for (let k = 1 + r.int(3); k > 0; k--) setPath(e, r.pick([...NUMBER_PATHS, ...STRING_PATHS.slice(0, 3)]), raw(longDecimal(r)))
  },
  surrogates(r, e) {
    for (let k = 1 + r.int(3); k > 0; k--) {
      const path = r.pick(STRING_PATHS)
      setPath(e, path, loneSurrogate(r, r.pick(['a@b.co', 'sku-1', 'USD', '555 0100 x 2', 'Name'])))
    }
    const p = e.properties
    if (!p || typeof p !== 'object' || Array.isArray(p)) return
    if (r.chance(0.3)) p[loneSurrogate(r, 'key')] = 'value'
    if (r.chance(0.3) && Array.isArray(p.products) && p.products[0] && typeof p.products[0] === 'object') {
      p.products[0].name = loneSurrogate(r, 'Name')
    }
  },
  overflow(r, e, raw) {
    for (let k = 1 + r.int(2); k > 0; k--) setPath(e, r.pick([...NUMBER_PATHS, ...STRING_PATHS.slice(0, 3)]), raw(hugeNumber(r)))
  },
  deep(r, e, raw) {
    // The event is one level, properties two: the console reads up to 512 in all.
    const depth = 126 + r.int(380)
    setPath(e, r.pick(['properties.deep', 'context.traits.deep', 'properties.plan', 'properties.products']), raw(nested(r, depth)))
  },
  coercion(r, e) {
    for (let k = 1 + r.int(3); k > 0; k--) setPath(e, r.pick(NUMBER_PATHS), coercible(r))
  },
  // Issue 24 item 4: `@path` through strings and arrays (`length`, indexes: UTF-16 units).
  strings(r, e) {
    const p = e.properties
    if (!p || typeof p !== 'object' || Array.isArray(p)) return
    const text = () => r.pick(['abc', '', 'x', '😀b', '\ud83c', 'İß', ' 12 ', '0', 'sku-7'])
    p.ids = r.pick([() => text(), () => [text(), text()], () => [], () => ({ 0: 'zero', length: 'own' }), () => 7])()
    if (r.chance(0.5)) p.plan = text()
    if (r.chance(0.4)) p.products = r.pick([() => text(), () => [text()], () => [{ name: text() }, 1, null]])()
  },
  // Item 5: keys with dots, read by bracket paths (`$.properties["order.id"]`), beside the nested
  // keys the release reads instead; empty values the release keeps in batches.
  dotted(r, e) {
    const p = e.properties
    if (!p || typeof p !== 'object' || Array.isArray(p)) return
    const value = () => r.pick(['ord-1', '', ' 7 ', 0, false, null, 'a@b.co', ['x'], { k: 1 }])
    if (r.chance(0.8)) p['order.id'] = value()
    if (r.chance(0.6)) p.order = r.pick([() => ({ id: value() }), () => value(), () => ({})])()
    if (r.chance(0.5)) p['click.id'] = value()
    if (r.chance(0.4)) p.click = { id: value() }
    if (r.chance(0.4) && e.context && typeof e.context === 'object') e.context['traits.email'] = r.pick(['a@b.co', '', 'x'])
  },
  // Item 6: products in shapes an `@arrayPath` with an empty item mapping hands to the schema.
  items(r, e) {
    const p = e.properties
    if (!p || typeof p !== 'object' || Array.isArray(p)) return
    p.products = r.pick([
      () => [false], () => [true, 1], () => ['x'], () => [null], () => [[]], () => [{}],
      () => [{ id: 'p1', name: 'N', category: 'C', extra: 1, quantity: 2 }],
      () => [{ id: 7, name: null }], () => ({ id: 'solo', name: 'S' }), () => [], () => 'text', () => 0,
      () => [{ id: 'a' }, false], () => [{ product_id: 'p', name: '' }]
    ])()
  },
  // Item 1: values the directives read: cases, patterns to replace, JSON texts, nulls, objects.
  directives(r, e) {
    const p = e.properties
    if (!p || typeof p !== 'object' || Array.isArray(p)) return
    p.plan = r.pick(['Team Plan', 'İSTANBUL', 'ß-plan', 'a.b-c', 'A-B-C', '', 7, true, null, ['a-b'], { k: 'v' }, '😀-Σ'])
    p.json = r.pick(['{"a":1,"b":[1,2]}', '[1,"x"]', '"str"', '12', 'not json', '', '{"a":null}', 7, null,
      { a: { b: 1 } }, '{"click_id":"from-json"}'])
    p.meta = r.pick([{ a: 1, b: null, c: { d: null, e: 'x' } }, { x: { y: { z: 'deep' } }, arr: [1, { q: 2 }] }, null,
      'text', [], {}, { currency: 'EUR', item_count: null }])
    p.extra = r.pick([{ currency: 'USD', value_decimal: 5 }, { item_count: 3 }, null, {}, 'x'])
  },
  throws(r, e) {
    r.pick([
      () => (e.context = null),
      () => setPath(e, 'context.personas', null),
      () => setPath(e, 'context.personas', { computation_class: 'audience', computation_key: 'k' }),
      () => delete e.context
    ])()
  }
}

/**
 * `n` events from `seed` as JSON texts, each with the classes it exercises: about half are the
 * events above alone, half carry one or two of CLASSES.
 */
function generateTexts(seed, n) {
  const r = rng(seed)
  const names = Object.keys(CLASSES)
  const out = []
  for (let i = 0; i < n; i++) {
    const e = event(r, i)
    const raws = []
    const raw = (text) => `@@raw${raws.push(text) - 1}@@`
    const classes = []
    if (r.chance(0.5)) {
      for (let k = 1 + r.int(2); k > 0; k--) {
        const name = r.pick(names)
        if (!classes.includes(name)) classes.push(name)
      }
      // In CLASSES' order: `throws` last, so no other class puts a context back.
      for (const name of names.filter((c) => classes.includes(c))) CLASSES[name](r, e, raw)
    }
    out.push({ event: e, raws, classes })
  }
  return out
}

/** The JSON text of a generated item, `reshape` applied to JSON.stringify's text before raws go in. */
function text(item, reshape) {
  return reshape(JSON.stringify(item.event)).replace(/"@@raw(\d+)@@"/g, (_, i) => item.raws[Number(i)])
}

/** `n` events from `seed`. */
function generate(seed, n) {
  const r = rng(seed)
  const out = []
  for (let i = 0; i < n; i++) out.push(event(r, i))
  return out
}

module.exports = { generate, generateTexts, text, rng, CLASSES }
