// Values produced at synth, after every construct has been added. cdktf's Lazy does the same but
// captures a stack trace per token; at 1000 pollers those traces were a third of the synth time.
import { Token, type IResolvable } from "../cdktf.js";

class AtSynth implements IResolvable {
  readonly creationStack: string[] = [];
  constructor(private readonly produce: () => unknown) {}
  resolve(): unknown {
    return this.produce();
  }
  toString(): string {
    return Token.asString(this);
  }
  toJSON(): string {
    return "<unresolved-at-synth>";
  }
}

export const valueAtSynth = (produce: () => unknown): IResolvable => new AtSynth(produce);
export const stringAtSynth = (produce: () => string): string => Token.asString(new AtSynth(produce));
export const stringMapAtSynth = (produce: () => Record<string, string>): Record<string, string> =>
  Token.asStringMap(new AtSynth(produce));
