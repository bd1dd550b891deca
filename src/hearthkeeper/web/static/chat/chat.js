// The web chat page: one WebSocket to the group, messages rendered with createElement and
// textContent only (never innerHTML: everything shown here was typed by someone). A scheduled
// post's Markdown comes read by the server as `blocks` (carriers/markdown.py) and is built
// here element by element; a link goes only to an http(s) address.
"use strict";

(function () {
  const body = document.body;
  const code = body.dataset.code;
  const me = body.dataset.me;
  const list = document.getElementById("messages");
  const notice = document.getElementById("notice");
  const status = document.getElementById("status");
  const count = document.getElementById("member-count");
  const composer = document.getElementById("composer");
  const textBox = composer.querySelector("textarea[name=text]");
  const sendButton = composer.querySelector("button[type=submit]");
  const pictureInput = document.getElementById("picture-input");
  const replying = document.getElementById("replying");
  const MEDIA = "/chat/media/";
  const FILES = "/chat/files/";
  const FILE_ICONS = { video: "🎬", voice: "🔊", file: "📎" };
  const CLOSE_REMOVED = 4000, CLOSE_NOT_SIGNED_IN = 4401, CLOSE_NOT_IN_GROUP = 4403;
  const CLOSE_OPEN_ELSEWHERE = 4409; // opened in too many other tabs: reconnecting would close one
  // The page's words, in the community's language, from the block the server rendered.
  const TEXTS = JSON.parse(document.getElementById("chat-texts").textContent);

  // Times are on the community's clock (the page names the zone), whatever the reader's
  // own zone and locale: "17:10", and "2026-05-01 17:10 Asia/Shanghai" as the title, as
  // the console and a refused post's mute say them.
  // A browser whose time zone data lacks the zone (an older one: Europe/Kyiv is a 2022
  // name) shows UTC and names UTC, on the times and in the header, not UTC times named as
  // the community's.
  const [ZONE, CLOCK] = clockFormat(body.dataset.zone || "UTC");

  function clockFormat(zone) {
    const fields = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23" };
    try {
      return [zone, new Intl.DateTimeFormat("en-GB", { ...fields, timeZone: zone })];
    } catch (_) {
      const named = document.getElementById("zone");
      if (named) named.textContent = named.textContent.replace(zone, "UTC");
      return ["UTC", new Intl.DateTimeFormat("en-GB", { ...fields, timeZone: "UTC" })];
    }
  }

  function onClock(at) {
    const parts = {};
    for (const part of CLOCK.formatToParts(new Date(at))) parts[part.type] = part.value;
    const time = `${parts.hour}:${parts.minute}`;
    return { time, full: `${parts.year}-${parts.month}-${parts.day} ${time} ${ZONE}` };
  }

  function t(key, values) {
    return TEXTS[key].replace(/\{(\w+)\}/g, (whole, name) =>
      values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
  }

  const known = new Map(); // message id → frame, for reply quotes
  let socket = null;
  let retryDelay = 1000;
  let removed = false;
  let muteTimer = null;
  let replyTo = null;
  let errorTimer = null;
  let closed = null; // the group is closed (`hearth groups close`): only staff post

  // --- the connection ------------------------------------------------------------------------

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/chat/${encodeURIComponent(code)}/ws`);
    setStatus("connecting", t("connecting"));
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      handle(frame);
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      if (removed || event.code === CLOSE_REMOVED) {
        setStatus("closed", t("not_connected"));
        return;
      }
      if (event.code === CLOSE_OPEN_ELSEWHERE) {
        setStatus("closed", t("open_elsewhere"));
        return;
      }
      if (event.code === CLOSE_NOT_SIGNED_IN || event.code === CLOSE_NOT_IN_GROUP) {
        location.assign(`/join/${encodeURIComponent(code)}`);
        return;
      }
      setStatus("offline", t("reconnecting"));
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        retryDelay = 1000;
        setStatus("online", t("connected"));
        setCount(frame.group.members);
        list.replaceChildren();
        known.clear();
        frame.history.forEach((m) => add(m, false));
        scrollDown(true);
        closed = null;
        hideNotice("closed");
        if (frame.muted) showMuted(frame.muted.until, frame.muted.reason, frame.muted.when);
        else clearMuted();
        if (frame.closed) showClosed(frame.closed);
        break;
      case "closed":
        showClosed(frame);
        break;
      case "refresh": // the group was closed or reopened: the hello says what it is now
        if (socket) socket.close(1000, "refresh");
        break;
      case "message":
        add(frame, true);
        break;
      case "deleted":
        removeMessage(frame.id);
        break;
      case "restored": // a deleted message shown again (staff dismissed the reports that hid it)
        add(frame.message, false, true);
        break;
      case "muted":
        showMuted(frame.until, frame.reason, frame.when);
        break;
      case "unmuted":
        clearMuted();
        break;
      case "removed":
        showRemoved(frame.reason, frame.banned);
        break;
      case "members":
        setCount(frame.count);
        break;
      case "error":
        showError(frame.message);
        break;
    }
  }

  // --- messages ------------------------------------------------------------------------------

  function add(frame, live, inPlace) {
    if (known.has(frame.id)) return;
    known.set(frame.id, frame);
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const item = document.createElement("article");
    item.className = "message";
    item.dataset.id = String(frame.id);
    if (frame.bot) item.classList.add("bot");
    if (frame.user_id === me) item.classList.add("own");
    if (Array.isArray(frame.mentions) && frame.mentions.includes(me)) item.classList.add("mention");

    const meta = document.createElement("div");
    meta.className = "meta";
    const nick = document.createElement("span");
    nick.className = "nick";
    nick.textContent = frame.nickname;
    meta.append(nick);
    if (frame.bot) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = t("bot");
      meta.append(badge);
    }
    if (frame.private) {  // a reply shown to this member alone (a door code, a reference)
      item.classList.add("private");
      const only = document.createElement("span");
      only.className = "only-you";
      only.textContent = t("only_you");
      meta.append(only);
    }
    const time = document.createElement("time");
    time.dateTime = frame.at;
    const clock = onClock(frame.at);
    time.textContent = clock.time;
    time.title = clock.full;
    meta.append(time);
    const reply = document.createElement("button");
    reply.type = "button";
    reply.className = "reply-button";
    reply.textContent = t("reply");
    reply.addEventListener("click", () => startReply(frame));
    meta.append(reply);
    item.append(meta);

    if (frame.reply_to !== null && frame.reply_to !== undefined) {
      const quote = document.createElement("div");
      quote.className = "reply-ref";
      const original = known.get(frame.reply_to);
      quote.textContent = original ? `↪ ${original.nickname}: ${snippet(original)}` : `↪ ${t("earlier_message")}`;
      item.append(quote);
    }
    const text = document.createElement("div");
    text.className = "text";
    if (Array.isArray(frame.blocks)) {
      text.classList.add("formatted");
      text.append(...frame.blocks.map(block));
    } else {
      text.textContent = frame.text;
    }
    item.append(text);
    if (typeof frame.picture_url === "string" && frame.picture_url.startsWith(MEDIA)) {
      const img = document.createElement("img");
      img.className = "picture";
      img.src = frame.picture_url;
      img.alt = t("picture_from", { nickname: frame.nickname });
      img.loading = "lazy";
      img.addEventListener("load", () => { if (nearBottom) scrollDown(true); });
      item.append(img);
    }
    if (typeof frame.file_url === "string" && frame.file_url.startsWith(FILES)) {
      // a scheduled post's video, voice or file: a download, saved under the post's title
      const link = document.createElement("a");
      link.className = `file file-${frame.kind}`;
      link.href = frame.file_url;
      link.download = typeof frame.file_name === "string" ? frame.file_name : "";
      link.rel = "noopener";
      link.textContent = `${FILE_ICONS[frame.kind] || FILE_ICONS.file} ${frame.file_name || ""}`;
      item.append(link);
    }
    // in its place among the messages shown (ids grow with time), not at the end
    const after = inPlace
      ? [...list.querySelectorAll(".message")].find((m) => Number(m.dataset.id) > frame.id)
      : undefined;
    if (after) list.insertBefore(item, after);
    else list.append(item);
    if (live) scrollDown(nearBottom || frame.user_id === me);
  }

  // --- a scheduled post's formatting -------------------------------------------------------

  const LINK = /^https?:\/\//i;

  function block(b) {
    let node;
    switch (b && b.type) {
      case "h":
        node = document.createElement("p");
        node.className = `heading level-${Math.min(Math.max(Number(b.level) || 1, 1), 6)}`;
        node.append(...runs(b.runs));
        break;
      case "ul":
      case "ol":
        node = document.createElement(b.type);
        if (b.type === "ol" && Number.isInteger(b.start) && b.start !== 1) node.start = b.start;
        (Array.isArray(b.items) ? b.items : []).forEach((item) => {
          const li = document.createElement("li");
          li.append(...(Array.isArray(item) ? item : []).map(block));
          node.append(li);
        });
        break;
      case "quote":
        node = document.createElement("blockquote");
        node.append(...(Array.isArray(b.blocks) ? b.blocks : []).map(block));
        break;
      case "code": {
        node = document.createElement("pre");
        const code = document.createElement("code");
        code.textContent = String(b.text || "");
        node.append(code);
        break;
      }
      case "hr":
        node = document.createElement("hr");
        break;
      default:
        node = document.createElement("p");
        node.append(...runs(b && b.runs));
    }
    if (b && b.gap) node.classList.add("gap");
    return node;
  }

  function runs(list) {
    return (Array.isArray(list) ? list : []).map((run) => {
      if (run.br) return document.createElement("br");
      let node = document.createTextNode(String(run.text || ""));
      for (const [flag, tag] of [["code", "code"], ["i", "em"], ["b", "strong"]]) {
        if (run[flag]) {
          const wrap = document.createElement(tag);
          wrap.append(node);
          node = wrap;
        }
      }
      if (typeof run.href === "string" && LINK.test(run.href)) {
        const link = document.createElement("a");
        link.href = run.href;
        link.target = "_blank";
        link.rel = "noopener noreferrer nofollow";
        link.append(node);
        node = link;
      }
      return node;
    });
  }

  function blocksText(list) {
    // a post's words without its marks, for a reply's quote
    return (Array.isArray(list) ? list : []).map((b) => {
      if (Array.isArray(b.runs)) return b.runs.map((r) => (r.br ? " " : r.text || "")).join("");
      if (Array.isArray(b.items)) return b.items.map(blocksText).join(" ");
      if (Array.isArray(b.blocks)) return blocksText(b.blocks);
      return b.text || "";
    }).join(" ").trim();
  }

  function snippet(frame) {
    const said = Array.isArray(frame.blocks) ? blocksText(frame.blocks) : frame.text;
    const words = said || (frame.picture_url ? t("picture_snippet") : frame.file_name || "");
    return words.length > 60 ? `${words.slice(0, 60)}…` : words;
  }

  function removeMessage(id) {
    known.delete(id);
    const item = list.querySelector(`.message[data-id="${Number(id)}"]`);
    if (item) item.remove();
    if (replyTo === id) cancelReply();
  }

  function scrollDown(really) {
    if (really) list.scrollTop = list.scrollHeight;
  }

  function setCount(n) {
    count.textContent = t(n === 1 ? "member_one" : "member_many", { count: n });
  }

  // --- notices -------------------------------------------------------------------------------

  function showNotice(kind, text) {
    notice.dataset.kind = kind;
    notice.textContent = text;
    notice.hidden = false;
  }

  function hideNotice(kind) {
    if (notice.dataset.kind === kind) {
      notice.hidden = true;
      notice.textContent = "";
      delete notice.dataset.kind;
    }
  }

  // `clock` is the end on the community's clock, its zone named, as a refused post says it.
  function showMuted(until, reason, clock) {
    clearTimeout(muteTimer);
    const when = !until ? t("staff_lift") : clock || onClock(until).full;
    showNotice("muted", t("muted_notice", { when, reason }));
    // the box stays open: a muted member may still send /appeal (anything else is refused);
    // in a closed group it stays shut, as showClosed (which the muted line hides) would do
    if (closed && !closed.staff) setComposing(false);
    if (until) {
      const wait = new Date(until).getTime() - Date.now();
      if (wait > 0 && wait < 2 ** 31 - 1) muteTimer = setTimeout(clearMuted, wait);
    }
  }

  function clearMuted() {
    clearTimeout(muteTimer);
    hideNotice("muted");
    if (!removed && !(closed && !closed.staff)) setComposing(true);
    if (closed) showClosed(closed);
  }

  // The group was closed: a line says so and, closed into another group, links to it; a
  // member can no longer write (staff still can).
  function showClosed(frame) {
    closed = frame;
    if (!frame.staff) setComposing(false); // a muted member's box too (open for /appeal)
    if (notice.dataset.kind === "removed" || notice.dataset.kind === "muted") return;
    showNotice("closed", frame.text);
    if (frame.link && /^(https?:\/\/|\/join\/)/.test(frame.link)) {
      const there = document.createElement("a");
      there.href = frame.link;
      there.textContent = frame.other || frame.link;
      notice.append(" ", there);
    }
    if (!frame.staff) setComposing(false);
  }

  function showRemoved(reason, banned) {
    removed = true;
    showNotice("removed", t(banned ? "banned_notice" : "removed_notice", { reason }));
    // the group's page: to join again, or (banned) to appeal there
    const page = document.createElement("a");
    page.href = `/join/${encodeURIComponent(code)}`;
    page.textContent = t(banned ? "appeal_link" : "join_again");
    if (banned) page.id = "appeal-link";
    notice.append(banned ? " " : "", page);
    setComposing(false);
  }

  function showError(message) {
    clearTimeout(errorTimer);
    let bubble = document.getElementById("error");
    if (!bubble) {
      bubble = document.createElement("p");
      bubble.id = "error";
      bubble.className = "error";
      bubble.setAttribute("role", "alert");
      composer.before(bubble);
    }
    bubble.textContent = message;
    bubble.hidden = false;
    errorTimer = setTimeout(() => { bubble.hidden = true; }, 6000);
  }

  function setComposing(on) {
    textBox.disabled = !on;
    sendButton.disabled = !on;
    pictureInput.disabled = !on;
  }

  // --- writing -------------------------------------------------------------------------------

  function startReply(frame) {
    replyTo = frame.id;
    replying.querySelector(".quote").textContent = `${frame.nickname}: ${snippet(frame)}`;
    replying.hidden = false;
    textBox.focus();
  }

  function cancelReply() {
    replyTo = null;
    replying.hidden = true;
  }

  function send(picture) {
    const text = textBox.value;
    if (!text.trim() && !picture) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      showError(t("still_in_box"));
      return;
    }
    socket.send(JSON.stringify({ type: "say", text, picture: picture || null, reply_to: replyTo }));
    textBox.value = "";
    fitTextBox();
    cancelReply();
  }

  function fitTextBox() {
    textBox.style.height = "auto";
    textBox.style.height = `${Math.min(textBox.scrollHeight, 160)}px`;
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send(null);
  });
  textBox.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME candidate does neither.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send(null);
    }
  });
  textBox.addEventListener("input", fitTextBox);
  replying.querySelector(".cancel").addEventListener("click", cancelReply);

  pictureInput.addEventListener("change", async () => {
    const file = pictureInput.files && pictureInput.files[0];
    pictureInput.value = "";
    if (!file) return;
    const form = new FormData();
    form.append("picture", file);
    try {
      const response = await fetch(`/chat/${encodeURIComponent(code)}/upload`, {
        method: "POST", body: form, credentials: "same-origin",
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        showError(answer.detail || t("picture_not_accepted", { status: response.status }));
        return;
      }
      send(answer.picture);
    } catch (_) {
      showError(t("picture_not_sent"));
    }
  });

  connect();
})();
