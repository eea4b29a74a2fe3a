// hotfix's flags through @openfeature/web-sdk with @openfeature/ofrep-web-provider, under Node.
//
//   node read_flags.cjs URL CLIENT_KEY
//
// Prints one JSON line once the provider is ready and has revalidated its bulk evaluation
// at least twice (each poll sends the ETag back in If-None-Match), then waits for a
// ConfigurationChanged event (the test kills a flag) and prints a second line. Every line
// carries the values read through the SDK and every bulk request the provider sent.
const { OpenFeature, ProviderEvents } = require('@openfeature/web-sdk');
const { OFREPWebProvider } = require('@openfeature/ofrep-web-provider');

const [url, key] = process.argv.slice(2);
const requests = [];
const realFetch = globalThis.fetch;
async function logged(request) {
  const response = await realFetch(request);
  requests.push({ url: request.url, method: request.method, status: response.status,
                  ifNoneMatch: request.headers.get('If-None-Match'),
                  etag: response.headers.get('ETag') });
  return response;
}

function values(client) {
  const colour = client.getStringDetails('button-colour', 'none');
  return {
    'new-checkout': client.getBooleanValue('new-checkout', false),
    'button-colour': colour.value,
    'button-colour-reason': colour.reason,
    'limits': client.getObjectValue('limits', {}),
    'missing': client.getBooleanDetails('missing', true).errorCode ?? null,
  };
}

function say(client) {
  process.stdout.write(JSON.stringify({ values: values(client), requests }) + '\n');
}

async function main() {
  const provider = new OFREPWebProvider({
    baseUrl: url, headers: [['Authorization', `Bearer ${key}`]], pollInterval: 150,
    cacheMode: 'disabled', fetchImplementation: logged,
  });
  await OpenFeature.setContext({ targetingKey: 'user-1', plan: 'pro' });
  await OpenFeature.setProviderAndWait(provider);
  const client = OpenFeature.getClient();
  const deadline = Date.now() + 20000;
  while (requests.filter((r) => r.status === 304).length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  say(client);
  await new Promise((resolve) => {
    client.addHandler(ProviderEvents.ConfigurationChanged, resolve);
    setTimeout(resolve, 20000).unref();
  });
  say(client);
  await OpenFeature.close();
}

main().catch((error) => { console.error(error); process.exit(1); });
