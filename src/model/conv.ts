import * as tf from '@tensorflow/tfjs';

/** tfjs explicit padding for NHWC: `padding` zeros on every side of H and W, as PyTorch pads. */
function explicitPadding(padding: number): [[number, number], [number, number], [number, number], [number, number]] {
  return [[0, 0], [padding, padding], [padding, padding], [0, 0]];
}

/**
 * dL/dW of a conv2d, using only forward convolutions (so it runs on backends without
 * Conv2DBackpropFilter, such as wasm): swapping the batch and channel axes turns the filter
 * gradient into a stride-1 convolution of the padded input with dy dilated by the stride.
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: [number, number], stride: number, padding: number): tf.Tensor4D {
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]
    // Rows and columns past the last full window are not read by the forward conv; the
    // correlation still spans them, so the result is cropped to the kernel.
    let g = tf.conv2d(xT, dyT, 1, explicitPadding(padding), 'NHWC', stride); // [Cin, >=KH, >=KW, Cout]
    if (g.shape[1] !== kernel[0] || g.shape[2] !== kernel[1]) {
      g = tf.slice(g, [0, 0, 0, 0], [-1, kernel[0], kernel[1], -1]);
    }
    return tf.transpose(g, [1, 2, 0, 3]); // [KH, KW, Cin, Cout]
  });
}

/**
 * dL/dx of a conv2d as one forward convolution: dy dilated by the stride and padded, against the
 * filter flipped in space with its channel axes swapped. tfjs's wasm Conv2DBackpropInput is a
 * naive loop; its Conv2D is XNNPACK's, several times faster on this model.
 */
export function conv2dInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], stride: number, padding: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, oh, ow, cout] = dy.shape;
    const [kh, kw] = filter.shape;
    const [, h, w] = inputShape;
    // Zeros between the rows and columns of dy, with 4-D ops only (tfjs WebGPU has no 6-D pad).
    let spread: tf.Tensor4D = dy;
    if (stride > 1) {
      const wide = tf.pad(tf.reshape(dy, [n * oh, ow, 1, cout]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
      const width = (ow - 1) * stride + 1;
      const columns = tf.slice(tf.reshape(wide, [n, oh, ow * stride, cout]), [0, 0, 0, 0], [n, oh, width, cout]);
      const tall = tf.pad(tf.reshape(columns, [n, oh, 1, width * cout]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
      spread = tf.slice(tf.reshape(tall, [n, oh * stride, width, cout]), [0, 0, 0, 0], [n, (oh - 1) * stride + 1, width, cout]) as tf.Tensor4D;
    }
    const [top, left] = [kh - 1 - padding, kw - 1 - padding];
    const bottom = h - (oh - 1) * stride + padding - 1;
    const right = w - (ow - 1) * stride + padding - 1;
    const padded = tf.pad(spread, [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]]);
    const flipped = tf.transpose<tf.Tensor4D>(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const dx = tf.conv2d(padded, flipped, 1, 'valid');
    return dx.shape[1] === h && dx.shape[2] === w ? dx : tf.slice(dx, [0, 0, 0, 0], [-1, h, w, -1]);
  });
}

/**
 * conv2d (NHWC input, HWIO filter, square stride, explicit symmetric padding) whose gradients use
 * forward convolutions only: `conv2dInputGrad` and `conv2dFilterGrad`.
 */
export function conv2dExplicit(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, padding: number): tf.Tensor4D {
  const key = `${stride},${padding}`;
  let op = convOps.get(key);
  if (!op) {
    op = tf.customGrad<tf.Tensor4D>((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xIn, wIn, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
      save([xIn, wIn]);
      return {
        value: tf.conv2d(xIn, wIn, stride, explicitPadding(padding)),
        gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          const dx = conv2dInputGrad(dy, ws, xs.shape, stride, padding);
          const dw = conv2dFilterGrad(xs, dy, [ws.shape[0], ws.shape[1]], stride, padding);
          return [dx, dw];
        },
      };
    });
    convOps.set(key, op);
  }
  return op(x, filter);
}

const convOps = new Map<string, (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D>();
