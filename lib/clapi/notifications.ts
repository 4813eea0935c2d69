// Fleet notification settings → the values CLAPI expects.
export const HOST_EVENT_LETTERS = {
  down: "d",
  unreachable: "u",
  recovery: "r",
  flapping: "f",
  downtime: "s",
  none: "n",
} as const;

export const SERVICE_EVENT_LETTERS = {
  warning: "w",
  unknown: "u",
  critical: "c",
  recovery: "r",
  flapping: "f",
  downtime: "s",
  none: "n",
} as const;

export type HostEvent = keyof typeof HOST_EVENT_LETTERS;
export type ServiceEvent = keyof typeof SERVICE_EVENT_LETTERS;
export type NotificationSwitch = boolean | "inherit";

/** `d,u,r`: comma-separated, no spaces (CLAPI refuses `dur` and `d, u`). */
export function hostNotificationOptions(events: readonly HostEvent[]): string {
  return events.length === 0 ? "n" : events.map((e) => HOST_EVENT_LETTERS[e]).join(",");
}

export function serviceNotificationOptions(events: readonly ServiceEvent[]): string {
  return events.length === 0 ? "n" : events.map((e) => SERVICE_EVENT_LETTERS[e]).join(",");
}

/** enable_notifications: 1 yes, 0 no, 2 default (inherit from the contact template). */
export function enableNotificationsValue(enabled: NotificationSwitch): "0" | "1" | "2" {
  return enabled === "inherit" ? "2" : enabled ? "1" : "0";
}
