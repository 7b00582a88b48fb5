// Sends track, identify and page calls and a batch of N Order Completed events to the console's
// collection endpoint with Segment's own @segment/analytics-node. Usage: node send.js HOST KEY TAG N
'use strict'
const { Analytics } = require('@segment/analytics-node')

const [host, writeKey, tag, count] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host, path: '/v1/batch', maxEventsInBatch: 100, flushInterval: 100 })
analytics.on('error', (err) => {
  console.error('analytics-node error:', err)
  process.exitCode = 1
})

async function main() {
  analytics.identify({ userId: `${tag}-identify`, traits: { email: ' Jane.Doe@Example.com ', phone: '+1 415 555 0132' } })
  analytics.track({
    userId: `${tag}-track`,
    event: 'Order Completed',
    properties: { order_id: `${tag}-order`, revenue: 42.5, currency: 'USD', products: [{ product_id: 'p1', quantity: 2, price: 21.25 }] },
    context: { traits: { email: 'jane.doe@example.com' }, ip: '203.0.113.7' },
  })
  analytics.page({ userId: `${tag}-page`, name: 'Home', properties: { url: 'https://shop.example.com/' } })
  for (let i = 0; i < Number(count); i++) {
    analytics.track({
      userId: `${tag}-batch-${i}`,
      event: 'Order Completed',
      properties: { order_id: `${tag}-${i}`, revenue: 10 + i, currency: 'USD' },
    })
  }
  await analytics.closeAndFlush({ timeout: 60000 })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
