// Golden Retriever's service worker: it keeps the blobs of the files
// being uploaded across a reload (IndexedDB, Golden Retriever's other
// store, takes files up to 10 MiB only). Bundled into the page's sw.js.
import "@uppy/golden-retriever/lib/ServiceWorker.js";
