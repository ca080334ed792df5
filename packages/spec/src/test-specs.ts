/** Spec texts shared by the tests. */

/** The example of DESIGN.md, verbatim. */
export const designExampleYaml = `name: kv-qa-sweep                 # required, [a-z0-9-]+
task:
  family: kv-qa                   # a built-in task family (curfew tasks lists them)
  params: { pairs: 8, train_examples: 20000, val_examples: 1000 }
model:
  family: gru                     # a built-in model family
  params: { units: 64 }
search:
  method: random                  # grid | random
  trials: 12
  seed: 7
  space:                          # each key overrides a model/optimizer parameter
    lr: { loguniform: [1.0e-4, 1.0e-2] }
    batch_size: { choice: [32, 64, 128] }
    units: { int: [32, 128] }
budget:
  max_tokens_per_run: 2000000
eval:
  every_tokens: 50000
policy:
  name: auto                      # none | patience | threshold | median | asha | extrapolate | meta | auto
  tolerance: 0.005                # EM the user accepts to lose (0.005 = half a point)
lr_schedule: { name: reduce-on-plateau, factor: 0.5, patience: 2 }
resources: { priority: 5, max_parallel: 4 }
`;

export const minimalYaml = `name: add-baseline
task: { family: add }
model: { family: mlp }
`;
