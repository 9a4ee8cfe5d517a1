/**
 * Lets the worker's event loop run (a Stop message, a request) between steps of long work. A
 * MessageChannel round trip is a fresh task with no timer clamping (setTimeout(0) nested in
 * timers waits at least 4 ms), and works where requestAnimationFrame (tf.nextFrame) may not tick.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
