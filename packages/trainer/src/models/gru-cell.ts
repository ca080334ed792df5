import * as tf from '@tensorflow/tfjs';
import { glorot, zeros } from './init';
import { matMul2d } from './mat-mul';

/** Variables of one GRU layer (Keras `reset_after` form: the reset gate scales h·U). */
export interface GruLayer {
  /** Input weights [in, 3·units] (update, reset, candidate). */
  w: tf.Variable;
  /** Recurrent weights [units, 3·units]. */
  u: tf.Variable;
  b: tf.Variable;
  bu: tf.Variable;
  units: number;
}

export function createGruLayer(
  prefix: string,
  inputSize: number,
  units: number,
  seed: number,
  into: Map<string, tf.Variable>,
): GruLayer {
  const layer: GruLayer = {
    w: glorot(`${prefix}/w`, [inputSize, 3 * units], seed),
    u: glorot(`${prefix}/u`, [units, 3 * units], seed),
    b: zeros(`${prefix}/b`, 3 * units),
    bu: zeros(`${prefix}/bu`, 3 * units),
    units,
  };
  into.set(`${prefix}/w`, layer.w);
  into.set(`${prefix}/u`, layer.u);
  into.set(`${prefix}/b`, layer.b);
  into.set(`${prefix}/bu`, layer.bu);
  return layer;
}

/** Multiply-adds of one time step. */
export function gruStepMacs(inputSize: number, units: number): number {
  return inputSize * 3 * units + units * 3 * units;
}

/** One step given the input projection xw = x·W + b ([batch, 3·units]) and the state h. */
export function gruStep(layer: GruLayer, xw: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
  const hu = tf.add(matMul2d(h, layer.u as tf.Tensor2D), layer.bu) as tf.Tensor2D;
  const [xz, xr, xn] = tf.split(xw, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const [hz, hr, hn] = tf.split(hu, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const z = tf.sigmoid(tf.add(xz, hz));
  const r = tf.sigmoid(tf.add(xr, hr));
  const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
  // h' = (1 - z)·n + z·h = n + z·(h - n)
  return tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
}

/** Runs a layer over a sequence [batch, time, in]; returns every state [batch, time, units]. */
export function gruSequence(layer: GruLayer, xs: tf.Tensor3D, h0?: tf.Tensor2D): tf.Tensor3D {
  const [batch, time, inputSize] = xs.shape;
  const projected = tf.reshape(
    tf.add(matMul2d(tf.reshape(xs, [batch * time, inputSize]), layer.w as tf.Tensor2D), layer.b),
    [batch, time, 3 * layer.units],
  );
  return gruProjectedSequence(layer, projected as tf.Tensor3D, h0 ?? tf.zeros([batch, layer.units]));
}

/**
 * Runs a layer over inputs already projected (x·W + b, [batch or 1, time, 3·units]) from the
 * state h0 [batch, units]. An input shared by the whole batch (the decoder's learned positions)
 * is projected once and broadcast, instead of tiled to the batch and projected row by row:
 * TF.js takes a tile's gradient one slice per copy, which was a tenth of a default GRU's step.
 */
export function gruProjectedSequence(layer: GruLayer, projected: tf.Tensor3D, h0: tf.Tensor2D): tf.Tensor3D {
  let h = h0;
  const states: tf.Tensor2D[] = [];
  for (const xw of tf.unstack(projected, 1) as tf.Tensor2D[]) {
    h = gruStep(layer, xw, h);
    states.push(h);
  }
  return tf.stack(states, 1) as tf.Tensor3D;
}

/** The projection x·W + b of one input [time, in] shared by every row of a batch: [1, time, 3·units]. */
export function gruSharedProjection(layer: GruLayer, xs: tf.Tensor2D): tf.Tensor3D {
  return tf.expandDims(tf.add(matMul2d(xs, layer.w as tf.Tensor2D), layer.b), 0) as tf.Tensor3D;
}
