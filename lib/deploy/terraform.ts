// Terraform commands for npm run deploy / plan, and what a cancel (Ctrl-C, a CI job cancelled, a
// closed terminal) does to them. Terraform stops cleanly on ONE interrupt: it cuts the provisioners
// under way short, saves the state and releases its lock. A second interrupt makes it exit at once,
// without saving the state, leaving a remote lock held until `terraform force-unlock`. A Ctrl-C or
// a CI cancel signals the whole process group, and this script forwards what it receives: so
// Terraform runs in its own process group, and gets exactly one interrupt, from this script.
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";

const CANCEL_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface TerraformRun {
  /** Terraform's exit code (128 + the signal's number if a signal ended it). */
  code: number;
  /** Its stdout and stderr, as they came. */
  output: string;
}

export class TerraformRunner {
  /** The first cancel signal this process received. */
  interrupted?: NodeJS.Signals;
  private running?: ChildProcess;
  /** Our own output is gone (a closed terminal: EIO, a closed pipe: EPIPE). */
  private outputLost = false;

  constructor() {
    for (const signal of CANCEL_SIGNALS) process.on(signal, () => this.onSignal(signal));
    // Without a listener, the write error would kill this script, and Terraform with it at its
    // next line, before it saved its state: keep relaying nothing and let Terraform finish.
    for (const stream of [process.stdout, process.stderr]) stream.on("error", () => (this.outputLost = true));
  }

  /** 128 + the signal's number, as a shell reports a process a signal stopped: 130, 143, 129. */
  get interruptedExitCode(): number {
    return 128 + constants.signals[this.interrupted ?? "SIGINT"];
  }

  /**
   * Whether the deploy was cancelled, once signals that came during synchronous work (building the
   * constructs) have been handled: Node runs signal handlers only between tasks.
   */
  async cancelled(): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return this.interrupted !== undefined;
  }

  /**
   * `terraform ARGS` in `cwd`, its output streamed to this process's and kept. The output goes
   * through a pipe, so that a Terraform outliving a killed deploy script stops at its next line
   * instead of running on unseen. After a cancel nothing starts: the run ends at once, failed.
   */
  run(args: string[], cwd: string): Promise<TerraformRun> {
    if (this.interrupted) return Promise.resolve({ code: this.interruptedExitCode, output: "" });
    return new Promise((resolve, reject) => {
      const child = spawn("terraform", args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      this.running = child;
      let output = "";
      const relay = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
        output += chunk.toString();
        if (!this.outputLost) to.write(chunk);
      };
      child.stdout.on("data", relay(process.stdout));
      child.stderr.on("data", relay(process.stderr));
      child.once("error", (error) => reject(new Error(`terraform could not be started (${error.message}): put Terraform 1.5 or later on PATH`)));
      child.once("close", (status, signal) => {
        this.running = undefined;
        resolve({ code: status ?? 128 + constants.signals[signal!], output });
      });
    });
  }

  private onSignal(signal: NodeJS.Signals): void {
    const pid = this.running?.pid;
    if (this.interrupted) {
      console.error(
        `\ncentreon-mail-as-code: ${signal} again: ignored, Terraform${pid ? ` (pid ${pid})` : ""} is stopping. ` +
          `To stop it at once: kill -INT ${pid ?? "<its pid>"}; it then saves no state and a remote state lock stays held (terraform force-unlock).`,
      );
      return;
    }
    this.interrupted = signal;
    console.error(
      `\ncentreon-mail-as-code: ${signal} received: Terraform is asked to stop (it cuts the host scripts under way short, ` +
        `saves the state and releases its lock); no further stack is started.`,
    );
    this.running?.kill("SIGINT");
  }
}
