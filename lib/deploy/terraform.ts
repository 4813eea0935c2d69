// Terraform commands for npm run deploy / plan, and what a cancel (Ctrl-C, a CI job cancelled)
// does to them. Terraform stops cleanly on ONE interrupt: it cancels the provisioners under way,
// saves the state and releases its lock. A second interrupt makes it exit at once, without saving
// the state, and leaves a remote lock held until `terraform force-unlock`. A Ctrl-C or a CI cancel
// signals the whole process group, and npm and tsx relay the signal again to this script: so
// Terraform runs in its own process group, and this script forwards it exactly one interrupt.
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";

export interface TerraformRun {
  /** Terraform's exit code (128 + signal number if a signal ended it). */
  code: number;
  /** Its stdout and stderr as they came, when `capture` was asked for; "" otherwise. */
  output: string;
}

export class TerraformRunner {
  /** The first SIGINT or SIGTERM this process received; once set, no further command starts. */
  interrupted?: NodeJS.Signals;
  private running?: ChildProcess;

  constructor() {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => this.onSignal(signal));
  }

  /** 128 + the signal's number, as a shell reports a process a signal stopped: 130, 143. */
  get interruptedExitCode(): number {
    return 128 + constants.signals[this.interrupted ?? "SIGINT"];
  }

  /**
   * `terraform ARGS` in `cwd`, output streamed to this process's (and kept, with `capture`). Runs
   * even after an interrupt (the caller decides whether to start one); see the file's comment.
   */
  run(args: string[], cwd: string, { capture = false } = {}): Promise<TerraformRun> {
    return new Promise((resolve, reject) => {
      const child = spawn("terraform", args, { cwd, detached: true, stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"] });
      this.running = child;
      let output = "";
      const keep = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
        output += chunk.toString();
        to.write(chunk);
      };
      child.stdout?.on("data", keep(process.stdout));
      child.stderr?.on("data", keep(process.stderr));
      child.once("error", (error) => {
        this.running = undefined;
        reject(new Error(`terraform could not be started (${error.message}): put Terraform 1.5 or later on PATH`));
      });
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
      `\ncentreon-mail-as-code: ${signal} received: Terraform is asked to stop (it interrupts the host scripts under way, ` +
        `saves the state and releases its lock); no further stack is started.`,
    );
    this.running?.kill("SIGINT");
  }
}
