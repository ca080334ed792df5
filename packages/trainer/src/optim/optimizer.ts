import type { OptimizerName } from '@curfew/spec';
import * as tf from '@tensorflow/tfjs';

/** Slot arrays of one variable (Adam: m and v; RMSprop: ms; SGD: momentum), by slot name. */
export type SlotValues = Record<string, Float32Array>;

/** Optimizer state as plain arrays, for checkpoints. */
export interface OptimizerState {
  name: OptimizerName;
  /** Updates applied so far (Adam's bias correction). */
  iterations: number;
  slots: Record<string, SlotValues>;
}

/** Hyper-parameters Keras uses by default; SGD gets momentum 0.9 so it trains in a demo budget. */
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const RMSPROP = { rho: 0.9, epsilon: 1e-7 };
const SGD_MOMENTUM = 0.9;

const SLOT_NAMES: Record<OptimizerName, readonly string[]> = {
  adam: ['m', 'v'],
  rmsprop: ['ms'],
  sgd: ['momentum'],
};

/**
 * Adam, RMSprop and SGD with momentum, written out so the learning rate and L2 weight decay are
 * set per step and the state is plain arrays (TF.js optimizers keep the LR fixed at creation).
 */
export class Optimizer {
  private iterations = 0;
  private readonly slots = new Map<string, Map<string, tf.Variable>>();

  constructor(
    readonly name: OptimizerName,
    private readonly variables: ReadonlyMap<string, tf.Variable>,
  ) {
    for (const [key, variable] of variables) {
      const slot = new Map<string, tf.Variable>();
      for (const s of SLOT_NAMES[name]) slot.set(s, tf.variable(tf.zerosLike(variable), false));
      this.slots.set(key, slot);
    }
  }

  /** Applies one update from `grads` (by variable name) at learning rate `lr`. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number, weightDecay: number): void {
    this.iterations += 1;
    const t = this.iterations;
    tf.tidy(() => {
      for (const [key, variable] of this.variables) {
        const raw = grads[variable.name] ?? grads[key];
        if (!raw) continue;
        const g = weightDecay > 0 ? tf.add(raw, tf.mul(variable, weightDecay)) : raw;
        variable.assign(tf.sub(variable, this.step(key, g, lr, t)));
      }
    });
  }

  private slot(key: string, name: string): tf.Variable {
    return this.slots.get(key)?.get(name) as tf.Variable;
  }

  private step(key: string, g: tf.Tensor, lr: number, t: number): tf.Tensor {
    switch (this.name) {
      case 'adam': {
        const m = this.slot(key, 'm');
        const v = this.slot(key, 'v');
        m.assign(tf.add(tf.mul(m, ADAM.beta1), tf.mul(g, 1 - ADAM.beta1)));
        v.assign(tf.add(tf.mul(v, ADAM.beta2), tf.mul(tf.square(g), 1 - ADAM.beta2)));
        const rate = (lr * Math.sqrt(1 - ADAM.beta2 ** t)) / (1 - ADAM.beta1 ** t);
        return tf.mul(tf.div(m, tf.add(tf.sqrt(v), ADAM.epsilon)), rate);
      }
      case 'rmsprop': {
        const ms = this.slot(key, 'ms');
        ms.assign(tf.add(tf.mul(ms, RMSPROP.rho), tf.mul(tf.square(g), 1 - RMSPROP.rho)));
        return tf.mul(tf.div(g, tf.add(tf.sqrt(ms), RMSPROP.epsilon)), lr);
      }
      case 'sgd': {
        const velocity = this.slot(key, 'momentum');
        velocity.assign(tf.add(tf.mul(velocity, SGD_MOMENTUM), g));
        return tf.mul(velocity, lr);
      }
    }
  }

  snapshot(): OptimizerState {
    const slots: Record<string, SlotValues> = {};
    for (const [key, slot] of this.slots) {
      slots[key] = Object.fromEntries([...slot].map(([s, v]) => [s, v.dataSync() as Float32Array]));
    }
    return { name: this.name, iterations: this.iterations, slots };
  }

  restore(state: OptimizerState): void {
    if (state.name !== this.name)
      throw new Error(`checkpoint optimizer ${state.name} ≠ run optimizer ${this.name}`);
    this.iterations = state.iterations;
    for (const [key, slot] of this.slots) {
      for (const [s, variable] of slot) {
        const values = state.slots[key]?.[s];
        if (!values) throw new Error(`checkpoint lacks optimizer slot ${key}/${s}`);
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
      }
    }
  }

  dispose(): void {
    for (const slot of this.slots.values()) for (const v of slot.values()) v.dispose();
  }
}
