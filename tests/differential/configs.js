// The configurations the harness runs: Segment's nine presets (the browser plugin builds no
// request) and custom mappings that exercise both actions and every directive. Each is given to
// the release as a full mapping and to the console as a workspace mapping (overrides merged
// shallowly over the preset's or the action's defaults, as Segment's "use default mappings").
'use strict'

const PRESETS = [
  'Reddit Browser Plugin', 'Page Visit', 'View Content', 'Search', 'Add to Cart', 'Add to Wishlist', 'Purchase',
  'Lead', 'Sign Up'
]

const path = (p) => ({ '@path': p })

const CUSTOM = [
  {
    name: 'custom: literal name',
    action: 'customEvent',
    mapping: { custom_event_name: 'Checkout Step 2' }
  },
  {
    name: 'custom: @path name',
    action: 'customEvent',
    mapping: { custom_event_name: path('$.event'), click_id: path('$.properties.click_id') }
  },
  {
    name: 'custom: @template',
    action: 'customEvent',
    mapping: {
      custom_event_name: { '@template': '{{event}} {{properties.plan}}' },
      click_id: { '@template': '{{properties.first}} {{properties.last}}' }
    }
  },
  {
    name: 'custom: @template of every type',
    action: 'customEvent',
    mapping: {
      custom_event_name: {
        '@template': '{{properties.products}}|{{properties.revenue}}|{{context.screen}}|{{properties.products.0.name}}|{{{properties.plan}}}|{{ userId }}|{{properties.plan.length}}'
      },
      click_id: { '@template': "{{properties.products[0].product_id}}/{{integrations['Reddit Conversions Api'].click_id}}" }
    }
  },
  {
    name: 'standard: array-index paths',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'ViewContent',
      click_id: path('$.properties.products[0].product_id'),
      conversion_id: path('$.properties.products.1.name'),
      user: { external_id: path('$.properties.products[0]'), uuid: path('$.context.traits.email') }
    }
  },
  {
    name: 'custom: @if blank',
    action: 'customEvent',
    mapping: {
      custom_event_name: { '@if': { blank: path('$.properties.plan'), then: 'No plan', else: path('$.properties.plan') } },
      click_id: { '@if': { exists: path('$.properties.click_id'), then: path('$.properties.click_id'), else: 'none' } }
    }
  },
  {
    name: 'standard: @arrayPath products',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'Purchase',
      products: {
        '@arrayPath': [
          '$.properties.products',
          { id: path('$.product_id'), name: path('$.name'), category: path('$.category'), quantity: path('$.quantity') }
        ]
      }
    }
  },
  {
    name: 'standard: nested objects from paths',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'Lead',
      event_metadata: {
        currency: path('$.properties.currency'),
        item_count: path('$.properties.quantity'),
        value_decimal: path('$.properties.price')
      },
      user: {
        email: path('$.properties.email'),
        phone_number: path('$.properties.phone'),
        external_id: path('$.userId'),
        advertising_id: path('$.context.device.advertisingId'),
        device_type: path('$.context.device.type')
      },
      data_processing_options: {
        country: path('$.properties.country'),
        modes: path('$.properties.modes'),
        region: path('$.properties.region')
      },
      screen_dimensions: { height: path('$.context.screen.height'), width: path('$.context.screen.width') }
    }
  },
  {
    name: 'standard: whole objects by @path',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'SignUp',
      event_at: path('$.properties.revenue'),
      event_metadata: path('$.properties'),
      user: path('$.context.traits'),
      products: path('$.properties.products'),
      conversion_id: path('$.properties.plan')
    }
  },
  {
    name: 'standard: @path on strings and arrays',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'Purchase',
      click_id: path('$.properties.plan[0]'),
      conversion_id: path('$.properties.ids.1'),
      event_metadata: { item_count: path('$.properties.products.length'), currency: path('$.properties.currency') },
      user: {
        external_id: path('$.properties.ids[0]'),
        uuid: path('$.properties.plan.length'),
        email: path('$.properties.products[0].name')
      }
    }
  },
  {
    name: 'standard: bracket paths with dots',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'Lead',
      conversion_id: path('$.properties["order.id"]'),
      click_id: path("$.properties['click.id']"),
      user: { email: path('$.context["traits.email"]'), external_id: path('$.properties.order') }
    }
  },
  {
    name: 'standard: @arrayPath with {}',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'Purchase',
      products: { '@arrayPath': ['$.properties.products', {}] }
    }
  },
  {
    name: 'custom: @case @replace @json',
    action: 'customEvent',
    mapping: {
      custom_event_name: { '@case': { operator: 'upper', value: path('$.properties.plan') } },
      click_id: {
        '@replace': { pattern: '-', replacement: '_', pattern2: 'a.', replacement2: "[$&$$$']", ignorecase: true, value: path('$.properties.plan') }
      },
      conversion_id: { '@json': { mode: 'encode', value: path('$.properties.meta') } },
      user: {
        external_id: { '@case': { operator: 'lower', value: path('$.properties.plan') } },
        uuid: { '@json': { mode: 'decode', value: path('$.properties.json') } },
        email: { '@replace': { pattern: 'x', global: false, value: path('$.properties.email') } }
      }
    }
  },
  {
    name: 'standard: @merge @excludeWhenNull @literal',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'Purchase',
      event_metadata: {
        '@merge': {
          direction: 'left',
          objects: [path('$.properties.extra'), { currency: path('$.properties.currency'), item_count: path('$.properties.quantity') }, path('$.properties.meta')]
        }
      },
      conversion_id: { '@excludeWhenNull': path('$.properties.json') },
      user: { '@merge': { direction: 'right', objects: [{ email: path('$.properties.email') }, path('$.properties.plan')] } },
      click_id: { '@literal': path('$.properties.click_id') }
    }
  },
  {
    name: 'custom: @transform @flatten',
    action: 'customEvent',
    mapping: {
      custom_event_name: { '@literal': 'Flattened' },
      event_metadata: {
        '@transform': {
          apply: { currency: path('$.properties.currency'), conversion_id: path('$.properties["order.id"]'), m: path('$.properties.meta') },
          mapping: { currency: path('$.currency'), conversion_id: path('$.conversion_id'), item_count: path('$.m.a') }
        }
      },
      click_id: { '@json': { mode: 'encode', value: { '@flatten': { separator: '.', value: path('$.properties.meta'), omitArrays: true } } } },
      user: { '@excludeWhenNull': { '@flatten': { separator: '_', value: path('$.context.traits') } } }
    }
  },
  {
    name: 'standard: literals',
    action: 'standardEvent',
    mapping: {
      tracking_type: 'AddToCart',
      event_at: '2024-01-08T13:52:50.212Z',
      event_metadata: { currency: 'JPY', item_count: '3', value_decimal: '12.50' },
      user: { email: ' Literal.User+x@Example.COM ', uuid: ['u-1'] }
    }
  }
]

module.exports = { PRESETS, CUSTOM }
