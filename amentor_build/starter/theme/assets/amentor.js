// amentor.js: the one module that decrypts (the matching encryptor is amentor_build/protection/crypto.py).
// Served from the site itself under a Content-Security-Policy that allows only this script:
// no CDN, no inline script, no eval.
//
// Sealed file: "AM1" | 12-byte nonce | AES-256-GCM(ciphertext+tag), associated data = the
// file's name in its folder; plaintext = 4-byte big-endian length | payload | zero padding.
// A login's slot (k/<CODE>.json) holds PBKDF2-HMAC-SHA256 parameters and a sealed box with the
// folder's address and content key. Unwrapped keys are kept only as non-extractable CryptoKeys
// in IndexedDB, never the password or raw key bytes; logging out clears them in every tab.
// A leaving folder (`amentor export`, amentor_build/leaving.py) is one HTML file with this script
// inline and the sealed folder in a data block (#amentor-bundle); it keeps its key in memory only.
(() => {
  "use strict";

  const MIN_ITERATIONS = 600000;
  const HEADER = 3 + 12;
  // The site's root, from this script's address (an inline copy, in a leaving folder, has none).
  const ROOT = document.currentScript?.src ? new URL("../", document.currentScript.src) : null;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  class TamperError extends Error {}
  // The site did not give a file (a host's outage, a deploy under way, no connection): not a
  // sign of new keys or of a changed file, so a kept key is kept and the reader may try again.
  class FetchError extends Error {}
  // The site (or a leaving folder) has no file of that name: a page's address mistyped, or kept
  // from an older site in a bookmark; a file the site lost.
  class MissingError extends FetchError {}
  class LoginError extends Error {}

  // ------------------------------------------------------------------ crypto

  function fromBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  async function unseal(key, name, buffer) {
    const bytes = new Uint8Array(buffer);
    if (bytes.length < HEADER + 16 || bytes[0] !== 0x41 || bytes[1] !== 0x4d || bytes[2] !== 0x31) {
      // Not one of the site's sealed files at all (a host's error page sent as 200, a Wi-Fi
      // login page): the site did not send it. New keys show only as a sealed file that does
      // not open, so the kept key is kept.
      throw new FetchError("not a sealed file");
    }
    let plain;
    try {
      plain = new Uint8Array(await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.slice(3, HEADER), additionalData: encoder.encode(name) },
        key, bytes.slice(HEADER)));
    } catch (error) {
      throw new TamperError("the file has been changed or damaged");
    }
    const length = new DataView(plain.buffer).getUint32(0);
    if (length > plain.length - 4) throw new TamperError("bad length");
    return plain.slice(4, 4 + length);
  }

  function importKey(base64) {
    return crypto.subtle.importKey("raw", fromBase64(base64), { name: "AES-GCM" }, false, ["decrypt"]);
  }

  async function fetchBytes(url) {
    let response;
    try {
      response = await fetch(url, { cache: "no-cache" });
    } catch (error) {
      throw new FetchError(`no answer from the site (${error.message})`);
    }
    if (response.status === 404) throw new MissingError("the site has no such file");
    if (!response.ok) throw new FetchError(`the site answered ${response.status}`);
    return response.arrayBuffer();
  }

  function normaliseCode(text) {
    return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
  }

  // Same rule as amentor_build/protection/logins.py normalise_password: forgiving of capitals and separators.
  function normalisePassword(text) {
    return text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join("-");
  }

  // ------------------------------------------------------------------ session (IndexedDB)

  function openDatabase() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("amentor", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("keys");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, action) {
    const db = await openDatabase();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("keys", mode);
      const request = action(tx.objectStore("keys"));
      tx.oncomplete = () => { db.close(); resolve(request.result); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }

  const session = {
    keys: () => withStore("readonly", (s) => s.getAllKeys()),
    get: (id) => withStore("readonly", (s) => s.get(id)),
    put: (id, value) => withStore("readwrite", (s) => s.put(value, id)),
    remove: (id) => withStore("readwrite", (s) => s.delete(id)),
    clear: () => withStore("readwrite", (s) => s.clear()),
  };

  // A key just made in this tab (from the letter's password, or from the staff list) is current
  // until it has opened what it was made for: if it cannot open it, the file is damaged. Once it
  // has, or if it was kept from an earlier visit, it may become an old one (the school gives a
  // folder new keys when it issues a login again or revokes one, or the child changes class or
  // leaves, while a tab stays open for days):
  // then the login is asked for again.
  const fresh = {
    mark: (id) => { try { sessionStorage.setItem(`amentor-fresh:${id}`, "1"); } catch (error) { /* storage off */ } },
    has: (id) => { try { return sessionStorage.getItem(`amentor-fresh:${id}`) === "1"; } catch (error) { return false; } },
    spent: (id) => { try { sessionStorage.removeItem(`amentor-fresh:${id}`); } catch (error) { /* storage off */ } },
  };

  // The way to the login form from a page that cannot be opened: that page (its address, the
  // #hash naming a page of the folder included) is opened once logged in (see destination).
  function loginLink() {
    const link = document.createElement("a");
    const here = location.pathname.slice(ROOT.pathname.length) + location.hash;
    link.href = new URL(`index.html#next=${encodeURIComponent(here)}`, ROOT).href;
    link.textContent = "Log in with the code and password from your letter";
    return link;
  }

  // A folder opened from a staff list whose child the list no longer holds: its keys are forgotten
  // (they are old ones), and the teacher told why, not that the folder was damaged.
  function showNotListed(container) {
    container.replaceChildren(errorBox("This child is no longer in your list: they have moved to another class "
      + "or left, and their folder now opens only for the staff whose list holds them."));
    const back = document.createElement("a");
    back.href = new URL("staff/index.html", ROOT).href;
    back.textContent = "Back to your list";
    container.append(back);
  }

  // A kept key that opens nothing: forgotten (the home page stops offering it), and the login asked for again.
  async function askToLogInAgain(container, id, what) {
    await session.remove(id);
    const when = what === "folder" ? "issues or withdraws a login, and when a child changes class or leaves"
      : "issues or withdraws a login";
    container.replaceChildren(errorBox(`This ${what} has new keys since it was last opened on this device `
      + `(the school changes them when it ${when}). Please log in again with the code and password from `
      + "your letter; if they no longer open it, please ask the school."));
    container.append(loginLink());
  }

  // ------------------------------------------------------------------ log in

  // A key slot opened with a password: the secret in its box, or a LoginError.
  async function openSlot(slot, code, passwordText) {
    if (slot.v !== 1 || slot.kdf !== "PBKDF2-HMAC-SHA256" || !Number.isInteger(slot.iterations)
        || slot.iterations < MIN_ITERATIONS) {
      throw new LoginError("weak");
    }
    const material = await crypto.subtle.importKey(
      "raw", encoder.encode(normalisePassword(passwordText)), "PBKDF2", false, ["deriveKey"]);
    const kek = await crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: fromBase64(slot.salt), iterations: slot.iterations },
      material, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    try {
      return JSON.parse(decoder.decode(await unseal(kek, `slot:${code}`, fromBase64(slot.box).buffer)));
    } catch (error) {
      throw new LoginError("wrong password");
    }
  }

  async function login(codeText, passwordText) {
    const code = normaliseCode(codeText);
    if (!/^[A-Z0-9]{4,32}$/.test(code)) throw new LoginError("bad code");
    let response;
    try {
      response = await fetch(new URL(`k/${code}.json`, ROOT), { cache: "no-cache" });
    } catch (error) {
      throw new FetchError(`no answer from the site (${error.message})`);
    }
    if (response.status === 404) throw new LoginError("no such code");
    if (!response.ok) throw new FetchError(`the site answered ${response.status}`);
    let slot;
    try {
      slot = await response.json();
    } catch (error) {
      throw new FetchError("not a key slot");  // a host's error page sent as 200, say
    }
    const secret = await openSlot(slot, code, passwordText);
    // One login at a time on a device: logging in over another login (a shared computer: a
    // parent after a teacher, another teacher after the head) ends it first, in every tab, so
    // nothing it opened opens for the next person. Its own folder logged in to again keeps it.
    // (The session says whose it is: two teachers' logins both open "staff".)
    const opens = secret.kind === "staff" ? "staff" : `folder:${secret.folder}`;
    const own = (id) => id === opens || id === "login" || (secret.kind === "staff" && id.startsWith("folder:"));
    const ids = await session.keys();
    if (ids.length && ((await session.get("login")) !== code || !ids.every(own))) await endSession();
    await session.put("login", code);  // the code only (PROTECTION 5: never the password or a key's bytes)
    if (secret.kind === "staff") {
      await session.put("staff", { key: await importKey(secret.key), index: secret.index, since: Date.now() });
      fresh.mark("staff");
      return new URL("staff/index.html", ROOT);
    }
    // With the key, the slot's box it came from (ciphertext the site serves to anyone): while the
    // slot is the same, the folder's key is too (keptKeyIsCurrent).
    await session.put(`folder:${secret.folder}`, { key: await importKey(secret.key), staffKey: null, box: slot.box });
    fresh.mark(`folder:${secret.folder}`);
    return new URL(secret.folder, ROOT);
  }

  // Where a login goes: the page a locked address asked for (its "Log in" link carries it in the
  // #hash, which is never sent to the server), if this login opens it: the family's own folder;
  // for staff, the staff list or a folder their list holds. Else the place the login opens
  // (opened), as for an address that cannot be read or lies outside the site.
  async function destination(opened) {
    try {
      const asked = new URLSearchParams(location.hash.slice(1)).get("next");
      if (!asked) return opened;
      const wanted = new URL(asked, ROOT);
      const under = (place) => wanted.href.startsWith(new URL(place, ROOT).href) && !/%2f|%5c/i.test(wanted.pathname);
      if (opened.href !== new URL("staff/index.html", ROOT).href) return under(opened.href) ? wanted : opened;
      if (under("staff/")) return wanted;
      const folder = wanted.pathname.slice(ROOT.pathname.length).replace(/index\.html$/, "");
      const keys = under("f/") ? await keysFromStaffList(folder) : null;
      return keys && !keys.absent ? wanted : opened;
    } catch (error) {
      return opened;
    }
  }

  // A returning family: the browser still holds a folder's key, so offer the way straight back in.
  async function offerOpenFolders(form) {
    await endStaleStaff();
    const ids = await session.keys();
    const places = ids.filter((id) => id === "staff" || id.startsWith("folder:f/"));
    if (!places.length) return;
    const box = document.createElement("p");
    box.className = "open-folders";
    for (const id of places) {
      const link = document.createElement("a");
      link.className = "open-folder";
      link.href = new URL(id === "staff" ? "staff/index.html" : id.slice("folder:".length), ROOT).href;
      const record = id === "staff" ? null : await session.get(id);
      link.textContent = id === "staff" ? "Open the staff list"
        : record && record.name ? `Open ${record.name}'s folder` : "Open the folder you are logged in to";
      box.append(link, " ");
    }
    const logoutButton = document.createElement("button");
    logoutButton.type = "button";
    logoutButton.className = "logout";
    logoutButton.textContent = "Log out";
    logoutButton.addEventListener("click", logout);
    box.append(logoutButton);
    if (!loggedOut) form.before(box);  // a log-out heard while the session was read: offer nothing
  }

  // A log-out in another tab, heard on the home page: the way back in goes, and with it the
  // child's name. The page stays, so whatever is being typed into the login form stays too.
  let loggedOut = false;
  function withdrawOffer() {
    loggedOut = true;
    for (const box of document.querySelectorAll(".open-folders")) box.remove();
    const status = document.getElementById("login-status");
    if (status) status.textContent = "You have logged out.";
  }

  // Four words typed on a phone: let them be seen (the site's login form, a leaving folder's).
  function wireShowPassword(form) {
    const password = form.elements.password;
    const show = form.querySelector("button.show-password");
    show?.addEventListener("click", () => {
      const shown = password.type === "password";
      password.type = shown ? "text" : "password";
      show.setAttribute("aria-pressed", String(shown));
      show.textContent = shown ? "Hide password" : "Show password";
    });
  }

  // A login refused, said under the form's button and brought into sight (on a phone it can sit
  // below the screen's edge), the password selected to be typed again.
  function refuse(alert, password, message) {
    alert.textContent = message;
    password.select();
    alert.scrollIntoView({ block: "nearest" });
  }

  function setUpLoginForm(form) {
    const code = form.elements.code;
    const password = form.elements.password;
    const button = form.querySelector("button[type=submit]");
    const status = document.getElementById("login-status");
    const alert = document.getElementById("login-error");
    const fromLetter = new URLSearchParams(location.hash.slice(1)).get("code");
    if (fromLetter) { code.value = fromLetter; password.focus(); }
    if (new URLSearchParams(location.search).has("logged-out")) status.textContent = "You have logged out.";
    wireShowPassword(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      alert.textContent = "";
      status.textContent = "Unlocking the folder… this takes a second or two.";
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      try {
        const target = await destination(await login(code.value, password.value));
        status.textContent = "Opening…";
        location.assign(target);
      } catch (error) {
        status.textContent = "";
        refuse(alert, password, error.message === "weak"
          ? "This login cannot be used safely: its settings are out of date. Please ask the school for a new login."
          : (error instanceof LoginError
            ? "That login code and password do not match. Check the letter from school and try again."
            : "The folder could not be opened. Please check your connection and try again."));
      } finally {
        button.disabled = false;
        form.removeAttribute("aria-busy");
      }
    });
    // The page's HTML leaves the button disabled: submitted without this handler the form would
    // send the password to the server. Now the handler is attached, the button can be used.
    button.disabled = false;
  }

  // ------------------------------------------------------------------ folder view

  const blobUrls = [];
  // The open folder's files as fetched (still sealed: each is decrypted every time it is shown),
  // so moving between pages, pictures included, needs no network round trip.
  const sealedFiles = new Map();

  function sealedFile(url) {
    if (!sealedFiles.has(url.href)) {
      const request = fetchBytes(url);
      request.catch(() => sealedFiles.delete(url.href));
      sealedFiles.set(url.href, request);
    }
    return sealedFiles.get(url.href);
  }

  // The open folder's sealed file called name: from the site, or from a leaving folder's bundle.
  let folderFile = (name) => sealedFile(new URL(name, location.href));
  let offline = false;  // a leaving folder's, opened: every file is in the one file

  function errorBox(message) {
    const box = document.createElement("p");
    box.className = "folder-error";
    box.setAttribute("role", "alert");
    box.textContent = message;
    return box;
  }

  // A page of an open folder that cannot be opened, said in its place: the folder's head and
  // menu stay (the menu marks the page asked for, the tab's title names it), so the reader can go
  // on to another page. With no page shown yet there is no menu to keep: the message alone.
  function showFailure(container, page, message) {
    closeViewer();
    const links = [...container.querySelectorAll("nav.folder-nav a")];
    const link = links.find((a) => a.hash === `#${page}`);
    const main = container.querySelector("main.folder-main");
    if (!link || !main) {
      container.replaceChildren(errorBox(message));
      return;
    }
    for (const other of links) other.removeAttribute("aria-current");
    link.setAttribute("aria-current", "page");
    const heading = document.createElement("h2");
    heading.className = "page-title";
    heading.textContent = link.textContent;
    main.replaceChildren(heading, errorBox(message));
    container.dataset.page = page;
    announce(container, page);
  }

  // A page this device holds no key for (after logging out, an address opened on another device,
  // a teacher's link to a child outside their list): said as a page of its own, with its heading,
  // why, and no "Log out" where nobody is logged in.
  async function showLocked(container, what) {
    const main = document.createElement("main");
    main.className = "folder-main";
    const heading = document.createElement("h1");
    heading.textContent = `This ${what} is locked`;
    const held = (await session.keys()).length > 0;
    const why = held
      ? `No login kept on this device opens this ${what}. To open it, log in with one that does (a family: `
        + "the code and password from your letter, which keep working when the school changes a folder's keys)."
      : `Nobody has logged in to this ${what} on this device. It opens with a login from the school: a code and a password.`;
    main.append(heading, errorBox(why), loginLink());
    container.replaceChildren(main);
    if (!held) document.getElementById("logout")?.setAttribute("hidden", "");
  }

  async function openAttachment(key, name, type) {
    const bytes = await unseal(key, name, await folderFile(name));
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    blobUrls.push(url);
    return url;
  }

  // The work viewer: a modal dialog (Escape, Close or the browser's Back shut it, Tab stays
  // inside, focus goes back to the picture that opened it), captioned with the work's title.
  // Opening it adds an entry to the history at the same address, so that Back on a phone shuts
  // the picture rather than leave the page of work; shut otherwise, it takes that entry back.
  let closeViewer = () => {};  // shuts the open viewer, if any (a page change behind it, say)
  let backViewer = null;  // shuts the open viewer when Back is pressed
  window.addEventListener("popstate", () => { if (backViewer) backViewer(); });

  function showViewer(url, type, title) {
    closeViewer();
    const opener = document.activeElement;
    const viewer = document.createElement("div");
    viewer.className = "viewer";
    viewer.setAttribute("role", "dialog");
    viewer.setAttribute("aria-modal", "true");
    viewer.setAttribute("aria-label", title);
    const caption = document.createElement("p");
    caption.className = "viewer-caption";
    caption.textContent = title;
    viewer.append(caption);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "logout";
    close.textContent = "Close";
    const remove = () => { viewer.remove(); closeViewer = () => {}; backViewer = null; };
    const gone = () => {
      remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
    const shut = () => {
      gone();
      if (history.state && history.state.viewer) history.back();  // its entry: the same address, no page change
    };
    closeViewer = remove;  // the page behind it changed
    backViewer = gone;
    close.addEventListener("click", shut);
    viewer.addEventListener("click", (event) => { if (event.target === viewer) shut(); });  // a tap beside the picture
    viewer.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); shut(); return; }
      if (event.key !== "Tab") return;
      const stops = [...viewer.querySelectorAll("a[href], button")];
      const first = stops[0];
      const last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    });
    if (type.startsWith("image/")) {
      const image = document.createElement("img");
      image.src = url;
      image.alt = title;
      // Printed while open, the page is the picture alone, as large as the paper allows (the
      // page of work prints its thumbnails, too small to read a child's handwriting).
      const print = document.createElement("button");
      print.type = "button";
      print.className = "logout";
      print.textContent = "Print";
      print.addEventListener("click", () => window.print());
      viewer.append(image, print);
    } else {
      // A phone saves a PDF rather than show it: say so, and what that means on a shared device.
      const download = document.createElement("a");
      download.href = url;
      const name = title.replace(/\(?\bPDF\b\)?/gi, "").replace(/[^\p{L}\p{N} -]+/gu, "").trim().replace(/\s+/g, "-");
      download.download = `${name || "work"}.pdf`;
      download.className = "logout";
      download.textContent = "Save the PDF";
      const note = document.createElement("p");
      note.className = "viewer-note";
      note.textContent = "It is saved on this device, unlocked: on a shared device, delete it once it is read.";
      viewer.append(download, note);
    }
    viewer.append(close);
    document.body.append(viewer);
    history.pushState({ ...(history.state || {}), viewer: true }, "");
    close.focus();
  }

  // Why a picture or a file did not open, in words for the family.
  // (A 404 too: a deploy under way, say. In a leaving folder nothing comes over a network: a file
  // it does not hold has been taken out of it.)
  function why(error) {
    return error instanceof FetchError && !offline
      ? "the site did not send it. Please check your connection and try again in a minute."
      : "the file has been changed or damaged.";
  }

  async function revealMedia(container, key) {
    const jobs = [...container.querySelectorAll("img[data-enc]")].map((image) =>
      openAttachment(key, image.dataset.enc, image.dataset.type).then(
        (url) => { image.src = url; },
        (error) => image.replaceWith(errorBox(`This picture could not be opened: ${why(error)}`))));
    for (const link of container.querySelectorAll("a[data-enc-href]")) {
      link.addEventListener("click", async (event) => {
        event.preventDefault();
        try {
          const url = await openAttachment(key, link.dataset.encHref, link.dataset.type);
          showViewer(url, link.dataset.type, link.closest(".work-card")?.querySelector(".work-title")?.textContent || "Work");
        } catch (error) {
          const said = link.nextElementSibling;  // tapped again: the message is said again, not added
          if (said?.classList.contains("folder-error")) said.remove();
          link.after(errorBox(`This file could not be opened: ${why(error)}`));
        }
      });
    }
    await Promise.all(jobs);
  }

  async function revealStaffNotes(container, staffKey) {
    const folderUrl = new URL(".", location.href);
    const notes = JSON.parse(decoder.decode(await unseal(staffKey, "notes", await fetchBytes(new URL("notes.bin", folderUrl)))));
    for (const slot of container.querySelectorAll(".staff-notes-slot[data-term]")) {
      const html = notes[slot.dataset.term];
      if (html) {
        // Not printed unless a teacher asks for it, note by note: a folder printed for a parents'
        // evening goes home, and its staff notes must not (SPEC 4: families never see them).
        slot.innerHTML = `<div class="staff-notes"><h4>Staff notes (staff only)</h4>${html}`
          + `<label class="notes-print"><input type="checkbox"> Print these notes too</label></div>`;
        const box = slot.querySelector(".staff-notes");
        box.querySelector(".notes-print input").addEventListener("change", (event) => {
          box.classList.toggle("printed", event.target.checked);
        });
      }
    }
  }

  async function showFolder(container) {
    const folder = location.pathname.slice(ROOT.pathname.length).replace(/index\.html$/, "");
    await endStaleStaff();
    const found = (await session.get(`folder:${folder}`)) || (await keysFromStaffList(folder));
    const record = found?.absent ? null : found;
    if (!record) return showLocked(container, "folder");
    if (await session.get("staff")) document.querySelector(".staff-link")?.removeAttribute("hidden");
    await showPages(container, record, `folder:${folder}`);
    const kept = await session.get(`folder:${folder}`);  // (the keys taken again from a staff list, if they were)
    const name = container.querySelector("h1.child-name")?.textContent;  // kept on this device only, to
    if (name && kept && kept.name !== name) await session.put(`folder:${folder}`, { ...kept, name });  // say whose folder
  }

  // A chart's point, tapped, clicked or reached with the keyboard, says its words under the chart.
  // A chart is one stop of the Tab key; the arrow keys (and Home, End) move between its points,
  // and Tab comes back to the point last read.
  const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  function wireCharts(container) {
    for (const chart of container.querySelectorAll(".chart")) {
      const points = [...chart.querySelectorAll("[data-say]")];
      points.forEach((point, index) => {
        const say = () => {
          const readout = point.closest("figure")?.querySelector(".chart-readout");
          if (readout) readout.textContent = point.dataset.say;
          for (const other of points) other.setAttribute("tabindex", other === point ? "0" : "-1");
        };
        point.addEventListener("click", say);
        point.addEventListener("focus", say);
        point.addEventListener("keydown", (event) => {
          if (event.altKey || event.ctrlKey || event.metaKey) return;  // Alt+Left: the browser's Back
          const to = event.key === "Home" ? 0 : event.key === "End" ? points.length - 1
            : event.key in STEPS ? index + STEPS[event.key] : null;
          if (to === null || !points[to]) return;
          event.preventDefault();
          points[to].focus();
        });
      });
    }
  }

  // A page switch, as a screen reader and a keyboard meet it: the title says which page, focus
  // moves to its heading, and one short sentence is announced (not the whole page again).
  let firstPage = true;
  function announce(container, page) {
    const current = container.querySelector("nav.folder-nav a[aria-current='page']")?.textContent || page;
    // No child's name in the title: titles stay in the browser's history and its address-bar
    // suggestions after Log out, for the next person on a shared phone. The page's heading says it.
    document.title = `${current} · Assertive Mentoring folder`;
    const status = document.getElementById("page-status");
    if (status) status.textContent = firstPage ? "" : `${current} page`;
    if (!firstPage) {
      const heading = container.querySelector("h2.page-title") || container.querySelector("h1, h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
    }
    firstPage = false;
  }

  // The element an address's #hash names, if the page has one.
  function anchorOf(hash) {
    try {
      return document.getElementById(decodeURIComponent(hash));
    } catch {
      return null;  // (a malformed %-escape names nothing)
    }
  }

  // The folder's pages, the one the address's #hash names on screen; record holds their keys.
  async function showPages(container, record, id = null) {
    // The folder's other pages are fetched (still sealed) once the first one shows, and then
    // the pictures of the work page, so moving between pages is a decryption, not a network
    // round trip per file.
    const sealedPage = (page) => folderFile(`${page}.bin`);
    const prefetch = () => {
      for (const link of container.querySelectorAll("nav.folder-nav a[href^='#']")) sealedPage(link.hash.slice(1));
      // The pictures (most of a folder's bytes) only once the browser is idle, never ahead of the page read now.
      const whenIdle = window.requestIdleCallback || ((run) => setTimeout(run, 1000));
      whenIdle(() => sealedPage("work").then((bytes) => unseal(record.key, "work", bytes)).then((html) => {
        const page = new DOMParser().parseFromString(decoder.decode(html), "text/html");  // inert: nothing runs or loads
        for (const image of page.querySelectorAll("img[data-enc]")) folderFile(image.dataset.enc);
      }).catch(() => {}));  // a page that cannot be opened says so when it is shown
    };
    let opened = false;  // a page of the folder opened with record.key: the key is current
    let relisted = false;  // the keys were taken again from the staff list (once: see render)
    // Does record.key open this page? (A file the site did not send says nothing of the key.)
    const opens = (page) => sealedPage(page).then((bytes) => unseal(record.key, page, bytes))
      .then(() => true, (error) => !(error instanceof TamperError));
    let asked = 0;  // how many pages were asked for: only the last one asked is shown
    let missed = null;  // the page the folder was opened at, which the site does not have
    const render = async () => {
      const known = new Set([...container.querySelectorAll("nav.folder-nav a[href^='#']")].map((a) => a.hash.slice(1)));
      let page = location.hash.slice(1) || "overview";
      const lower = page.toLowerCase();  // #Targets, typed or pasted so: the page, at its own address
      if (lower !== page && /^[a-z0-9-]+$/.test(lower) && (!known.size || known.has(lower))) {
        history.replaceState(history.state, "", `#${lower}`);  // (no hashchange: this render goes on)
        page = lower;
      }
      if (known.size && !known.has(page)) {
        // An anchor inside the page (the skip link): the browser goes there. Any other name
        // (typed into the address bar while the folder is open): the folder's first page.
        if (!anchorOf(page)) location.replace("#overview");
        return;
      }
      // Opened (or reloaded) at such an anchor (#folder), before the folder's menu is known: its first page.
      if (!known.size && (!/^[a-z0-9-]+$/.test(page) || document.getElementById(page))) page = "overview";
      const turn = ++asked;
      try {
        const bytes = await unseal(record.key, page, await sealedPage(page));
        if (turn !== asked) return;  // another page was asked for meanwhile (a slow connection)
        closeViewer();
        while (blobUrls.length) URL.revokeObjectURL(blobUrls.pop());
        opened = true;
        if (id) fresh.spent(id);  // current now; a page that fails after a rebuild asks for the login again
        container.innerHTML = decoder.decode(bytes);
        const wanted = missed;
        missed = null;
        if (wanted !== null && container.querySelector(`nav.folder-nav a[href='#${wanted}']`)) {
          // One of the folder's pages after all, that the site did not send (a deploy under way):
          // said, at its own address, as any page not sent.
          history.replaceState(null, "", `#${wanted}`);
          showFailure(container, wanted, `This page could not be opened: ${why(new FetchError("not sent"))}`);
          return;
        }
        container.dataset.page = page;
        announce(container, page);
        wireCharts(container);
        await revealMedia(container, record.key);
        if (record.staffKey) await revealStaffNotes(container, record.staffKey);
        container.dispatchEvent(new CustomEvent("amentor:page", { bubbles: true }));
      } catch (error) {
        if (turn !== asked) return;
        if (error instanceof MissingError && !known.size && page !== "overview") {
          missed = page;  // an address naming no page of the folder (mistyped, an old bookmark): its first page
          location.replace("#overview");
          return;
        }
        if (error instanceof TamperError && id && record.staffKey && !relisted) {
          // Keys from a staff list opened before the site was built again (a tab left open, a
          // list clicked from a tab left open): the list as it is now gives the folder's keys
          // now; or no longer holds the child, whose folder then has new keys (moved class, left).
          relisted = true;
          const now = await keysFromStaffList(id.slice("folder:".length));
          if (turn !== asked) return;
          if (now?.absent) {
            await session.remove(id);
            showNotListed(container);
            return;
          }
          if (now) {
            record = now;
            await render();
            return;
          }
        }
        if (error instanceof TamperError && id && !opened && !fresh.has(id)) {
          // A kept key that opens no page may be an old one; but a page it was never meant to open
          // (an address ending #notes, the staff's) says nothing of it: the overview decides; and a
          // key whose login's slot is as it was is no old one: the page itself was changed.
          const overview = page !== "overview" && await opens("overview");
          const current = !overview && await keptKeyIsCurrent(record);
          if (turn !== asked) return;  // another page was asked for meanwhile
          if (overview) location.replace("#overview");
          else if (!current) await askToLogInAgain(container, id, "folder");
          else showFailure(container, page, "This page could not be opened: it has been changed or damaged. Please tell the school.");
          return;
        }
        showFailure(container, page, `This page could not be opened: ${error instanceof TamperError || offline
          ? "it has been changed or damaged. Please tell the school." : why(error)}`);
      }
    };
    window.addEventListener("hashchange", () => { render().then(() => window.scrollTo(0, 0)); });
    // A page said not to open: its own link in the menu (current, the address already its own, so
    // no hashchange) tries again, with the file fetched again.
    container.addEventListener("click", (event) => {
      const link = event.target.closest?.("nav.folder-nav a[aria-current='page']");
      if (!link || link.hash !== location.hash || !container.querySelector("main .folder-error")) return;
      event.preventDefault();
      sealedFiles.delete(new URL(`${link.hash.slice(1)}.bin`, location.href).href);
      render().then(() => window.scrollTo(0, 0));
    });
    await render();
    setTimeout(prefetch, 100);  // once the first page is on screen and the reader is looking at it
  }

  // ------------------------------------------------------------------ leaving folder (one file)

  // Its password form opens the bundle's one slot; the folder's files are read from the bundle.
  function showBundle(container, bundle) {
    const form = document.getElementById("login-form");
    const password = form.elements.password;
    const button = form.querySelector("button[type=submit]");
    const status = document.getElementById("login-status");
    const alert = document.getElementById("login-error");
    wireShowPassword(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      alert.textContent = "";
      status.textContent = "Unlocking the folder… this takes a second or two.";
      button.disabled = true;
      let secret;
      try {
        secret = await openSlot(bundle.slot, "bundle", password.value);
      } catch (error) {
        status.textContent = "";
        button.disabled = false;
        refuse(alert, password, error.message === "weak"
          ? "This folder cannot be opened safely: its settings are out of date. Please ask the school for a new copy."
          : "That password does not match. Check the password the school gave you with this file and try again.");
        return;
      }
      offline = true;
      folderFile = (name) => Object.hasOwn(bundle.files, name)
        ? Promise.resolve(fromBase64(bundle.files[name]).buffer)
        : Promise.reject(new MissingError("a file of the folder is missing"));
      const close = document.getElementById("close-folder");
      close.addEventListener("click", () => location.reload());  // forgets the key: it was in memory only
      close.hidden = false;
      await showPages(container, { key: await importKey(secret.key), staffKey: null });
    });
  }

  // ------------------------------------------------------------------ staff view

  async function staffIndex(record) {
    return JSON.parse(decoder.decode(await unseal(record.key, "staff-index", await fetchBytes(new URL(record.index, ROOT)))));
  }

  // Is a family's kept key still the folder's? The school gives a folder new keys by writing every
  // slot that opens it again; so while the login's slot holds the box the key came from, the key
  // is current, and a page it cannot open was changed on its way (a damaged upload, a tampering
  // host): said so, the key kept, rather than the family sent to log in again for nothing.
  async function keptKeyIsCurrent(record) {
    const code = await session.get("login");
    if (!record.box || !code) return false;  // (a key kept by an older amentor.js: no box to compare)
    try {
      const response = await fetch(new URL(`k/${code}.json`, ROOT), { cache: "no-cache" });
      return response.ok && (await response.json()).box === record.box;
    } catch (error) {
      return false;  // no answer, or no slot: asked to log in again, as before
    }
  }

  // The keys of a folder a staff login covers, opened other than by a click in the list (in a new
  // tab, from a bookmark): found in the list, and kept as the list's own link keeps them.
  async function keysFromStaffList(folder) {
    const staff = await session.get("staff");
    if (!staff) return null;
    let child;
    try {
      child = (await staffIndex(staff)).children.find((c) => c.folder === folder);
    } catch (error) {
      return null;  // the list itself cannot be opened: the folder is locked, as without it
    }
    if (!child) return { absent: true };  // a child outside this login's scope (now)
    const record = { key: await importKey(child.key), staffKey: await importKey(child.staff_key) };
    await session.put(`folder:${folder}`, record);
    fresh.mark(`folder:${folder}`);
    return record;
  }

  async function showStaff(container) {
    await endStaleStaff();
    const record = await session.get("staff");
    if (!record) return showLocked(container, "list");
    let index;
    try {
      index = await staffIndex(record);
      fresh.spent("staff");
    } catch (error) {
      if (error instanceof TamperError && !fresh.has("staff")) return askToLogInAgain(container, "staff", "list");
      container.replaceChildren(errorBox(error instanceof TamperError
        ? "The list could not be opened: it has been changed or damaged."
        : "The list could not be opened: the site did not send it. Please check your connection and try again in a minute."));
      return;
    }
    const heading = document.createElement("h1");
    heading.textContent = `${index.label}: children's folders`;
    const parts = [heading];
    const open = (child) => {
      const link = document.createElement("a");
      link.href = new URL(child.folder, ROOT).href;
      link.textContent = child.name;
      link.addEventListener("click", async (event) => {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;  // a new tab or window: its own keys (keysFromStaffList)
        event.preventDefault();
        // Back from the folder finds the list as it was left: its order, where it was scrolled, this link.
        remember({ link: [...container.querySelectorAll("a")].indexOf(link), scroll: window.scrollY });
        await session.put(`folder:${child.folder}`, { key: await importKey(child.key), staffKey: await importKey(child.staff_key) });
        fresh.mark(`folder:${child.folder}`);
        location.assign(link.href);
      });
      return link;
    };
    const printed = document.createElement("p");  // on paper: whose list, and when (the page's bar is not printed)
    printed.className = "printed-on";
    const school = document.querySelector(".folder-bar a")?.textContent || "";
    printed.textContent = `${school} · printed ${new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" })}`;
    parts.push(printed);
    const attention = index.children.filter((child) => child.attention && child.attention.length);
    // Children on roll whose overview row is of an earlier school year (no attainment for this
    // one yet, as after a rollover): "Needs attention" takes its reasons from this year's records.
    const earlier = index.year ? index.children.filter((child) => !child.left && child.term_anchor && !child.term_anchor.startsWith(`${index.year}-`)).length : 0;
    parts.push(needsAttention(attention, open, earlier, index.year));  // with nobody in it too: "nobody" is an answer
    parts.push(overviewTable(index, open));
    if (index.scope === "all") parts.push(schoolSummary(index, open));
    container.replaceChildren(...parts);
    if (!index.children.length) container.append(errorBox("No children are in this login's scope."));
    const left = remembered();
    const link = container.querySelectorAll("a")[left.link];
    if (link) link.focus({ preventScroll: true });
    if (typeof left.scroll === "number") window.scrollTo(0, left.scroll);
  }

  // Printed, the list of who needs attention is opened (folded, the paper would hold its count
  // only), and folded again after.
  let printing = false;
  const folded = [];
  window.addEventListener("beforeprint", () => {
    printing = true;
    for (const more of document.querySelectorAll(".needs-attention details:not([open])")) { more.open = true; folded.push(more); }
  });
  window.addEventListener("afterprint", () => {
    while (folded.length) folded.pop().open = false;
    setTimeout(() => { printing = false; });  // (after the toggle events the folding queues)
  });

  // What the staff list keeps of itself in this page's history entry (sort order, scroll, the
  // link last opened): the list is made after the page loads, too late for the browser to restore.
  function remembered() {
    return (history.state && history.state.amentor) || {};
  }

  function remember(what) {
    history.replaceState({ ...(history.state || {}), amentor: { ...remembered(), ...what } }, "");
  }

  // A school's name as it begins a heading (model.heading): a first letter made a capital, the
  // rest as school.yml writes it; a first word with a capital already (RE, eSafety) as it is.
  function asHeading(name) {
    const first = name.trim().split(/\s+/)[0] || "";
    return first !== first.toLowerCase() ? name : name.charAt(0).toUpperCase() + name.slice(1);
  }

  // The staff overview (SPEC 7): built from the sealed list, every colour with its shape and words.
  function chipElement(signal) {
    const chip = document.createElement("span");
    chip.className = `chip chip-${signal.colour}`;
    const icon = document.createElement("span");
    icon.className = "chip-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = signal.icon;
    chip.append(icon, ` ${signal.words}`);
    return chip;
  }

  function section(title, className) {
    const part = document.createElement("section");
    part.className = className;
    const heading = document.createElement("h2");
    heading.textContent = title;
    heading.id = `${className}-title`;
    part.setAttribute("aria-labelledby", heading.id);
    part.tabIndex = 0;  // a table wider than a phone scrolls sideways: the keyboard can scroll it too
    part.append(heading);
    return part;
  }

  function needsAttention(children, open, earlier, year) {
    const part = section(`Needs attention: ${children.length} ${children.length === 1 ? "child" : "children"}`,
      "needs-attention");
    if (earlier) {  // their "Not on track" of last summer, in the overview, is not a reason here
      const note = document.createElement("p");
      note.className = "muted attention-year";
      note.textContent = `Reasons come from ${year}'s records (the first of two terms or reviews running may be of an earlier year). `
        + `${earlier === 1 ? "1 child has" : `${earlier} children have`} no attainment for ${year} yet: the overview shows `
        + "their subjects' colours and attendance of an earlier year, which give no reason here.";
      part.append(note);
    }
    if (!children.length) {
      const none = document.createElement("p");
      none.textContent = "No child in this list needs attention now.";
      part.append(none);
      return part;
    }
    const more = document.createElement("details");  // a long list stays folded: the overview follows it
    const kept = remembered().attention;  // back from a child opened from it: as it was left
    more.open = typeof kept === "boolean" ? kept : children.length <= 12;
    more.addEventListener("toggle", () => { if (!printing) remember({ attention: more.open }); });
    const summary = document.createElement("summary");
    summary.textContent = children.length <= 12 ? "Who, and why" : `The ${children.length} children, and why`;
    more.append(summary);
    part.append(more);
    const list = document.createElement("ul");
    for (const child of children) {
      const item = document.createElement("li");
      const reasons = document.createElement("ul");
      for (const reason of child.attention) {
        const line = document.createElement("li");
        line.textContent = reason;
        reasons.append(line);
      }
      const where = document.createElement("span");  // two Jack Smiths: which is which
      where.className = "muted";
      where.textContent = ` (${[child.class, child.year_group ? `Year ${child.year_group}` : ""].filter(Boolean).join(", ")})`;
      item.append(open(child), child.class ? where : "", reasons);
      list.append(item);
    }
    more.append(list);
    return part;
  }

  const SEVERITY = { not_on_track: 0, nearly_there: 1, on_target: 2, exceeding: 3 };
  // Names in alphabetical order whatever their letters (a lower-case "de", an Ł or an Ø sorts
  // with its letter, not after Z as by code point), numbers inside text by value (10 after 9).
  const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

  // A column's sort keys compared: numbers as numbers, text alphabetically, a list part by part.
  function compareKeys(x, y) {
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const order = compareKeys(x[i], y[i]);
        if (order) return order;
      }
      return x.length - y.length;
    }
    if (typeof x === "number" && typeof y === "number") return x - y;
    return collator.compare(String(x), String(y));
  }

  // A child's colours are their current form's: where that is not this term's (no attainment
  // for it yet, or left), the row says which term they come from.
  function classCell(child, term) {
    const cell = document.createElement("span");
    cell.append(`${child.class || ""}${child.left ? ` (left ${child.left})` : ""}`);
    if (child.term && (!term || child.term_anchor !== term.anchor)) {
      const from = document.createElement("span");
      from.className = "muted colours-from";
      from.textContent = ` · colours of ${child.term}`;
      cell.append(from);
    }
    return cell;
  }

  // A subject's status in the overview; one kept from an earlier term of the year (not yet
  // entered in the child's latest) says which term it is of.
  function statusCell(status) {
    if (!status.term && !status.judged) return chipElement(status);
    const cell = document.createElement("span");
    const from = document.createElement("span");
    from.className = "muted colours-from";
    // The teacher's own status, other than the steps give: a judgement the meeting can see.
    from.textContent = ` (${[status.judged ? "teacher's judgement" : "", status.term || ""].filter(Boolean).join(", ")})`;
    cell.append(chipElement(status), from);
    return cell;
  }

  function overviewTable(index, open) {
    // Which term the colours are (a child's from an earlier one says so in its row).
    const part = section(index.term ? `Class overview: ${index.term.title}` : "Class overview", "class-overview");
    const table = document.createElement("table");
    table.className = "staff-list overview";
    // On a phone the table is laid out as cards (CSS display: block), which makes some screen
    // readers (Safari's) forget it is a table: its roles, said outright, keep each value with its column.
    table.setAttribute("role", "table");
    const columns = [
      // Sorted by surname, as a register is, though shown first name first: the header says so.
      { title: "Name", hint: "by surname", key: (c) => c.sort, cell: (c) => open(c) },
      // Classes in the order of their year groups (Year 1's before Year 6's whatever their
      // names), then by the class's name; within a class, by name.
      { title: "Class", key: (c) => (c.year_group == null ? null : [c.year_group, c.class, c.sort]), cell: (c) => classCell(c, index.term) },
      ...index.subjects.map((subject) => ({
        title: asHeading(subject),
        key: (c) => (c.subjects && c.subjects[subject] ? SEVERITY[c.subjects[subject].status] : null),
        cell: (c) => (c.subjects && c.subjects[subject] ? statusCell(c.subjects[subject]) : "–"),
      })),
      // (a school that records no attendance has no column of dashes)
      ...(index.attendance === false ? [] : [{ title: "Attendance", key: (c) => (c.attendance ? c.attendance.value : null),
        cell: (c) => {
          if (!c.attendance) return "–";
          const span = document.createElement("span");
          span.append(`${c.attendance.shown} `, chipElement(c.attendance));
          if (c.attendance.term) {  // a newer (or older) term's figure than the row's colours
            const from = document.createElement("span");
            from.className = "muted colours-from";
            from.textContent = ` (${c.attendance.term})`;
            span.append(from);
          }
          return span;
        } }]),
    ];
    const head = document.createElement("thead");
    const headRow = document.createElement("tr");
    const body = document.createElement("tbody");
    const kept = remembered().sorted;  // back from a folder: as the teacher left it
    let sorted = kept && columns[kept.column] ? kept : { column: 0, ascending: true };
    const rows = new Map(index.children.map((child) => {  // made once; sorting only moves them
      const row = document.createElement("tr");
      row.setAttribute("role", "row");
      columns.forEach((column, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        cell.setAttribute("role", i === 0 ? "rowheader" : "cell");
        if (i === 0) cell.scope = "row";
        else cell.dataset.label = column.title;  // on a phone each row is a card: the column's name beside its value
        cell.append(column.cell(child));
        row.append(cell);
      });
      return [child, row];
    }));
    const fill = () => {
      const order = [...index.children].map((child) => [columns[sorted.column].key(child), child]);
      // A child who has left comes after those on roll, and a child with nothing in the column
      // ("–") last among them, whichever way it is sorted.
      const gone = (child) => (child.left == null ? 0 : 1);
      order.sort(([x, a], [y, b]) => gone(a) - gone(b) || (x === null) - (y === null)
        || compareKeys(x, y) * (sorted.ascending ? 1 : -1));
      body.replaceChildren(...order.map(([, child]) => rows.get(child)));
      headRow.querySelectorAll("th").forEach((th, i) => {
        th.setAttribute("aria-sort", i === sorted.column ? (sorted.ascending ? "ascending" : "descending") : "none");
      });
    };
    columns.forEach((column, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.setAttribute("role", "columnheader");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = column.title;
      button.addEventListener("click", () => {
        sorted = { column: i, ascending: sorted.column === i ? !sorted.ascending : true };
        remember({ sorted });
        fill();
      });
      th.append(button);
      if (column.hint) {
        const hint = document.createElement("span");
        hint.className = "muted sort-hint";
        hint.textContent = column.hint;
        th.append(hint);
      }
      headRow.append(th);
    });
    headRow.setAttribute("role", "row");
    head.setAttribute("role", "rowgroup");
    body.setAttribute("role", "rowgroup");
    head.append(headRow);
    table.append(head, body);
    fill();
    part.append(table);
    return part;
  }

  // Those the summary does not count, named while a meeting can read them (a child with no data
  // yet must not be missed); many (a term being entered): where to find them.
  function notCounted(children) {
    if (children.length > 12) return " (in the class overview each says, beside their class, the term its colours are of, or has none)";
    return `: ${children.map((c) => `${c.name}${c.class ? ` (${c.class})` : ""}`).join(", ")}`;
  }

  function schoolSummary(index, open) {
    // "This term": the latest term of the current year any child has attainment for (index.term,
    // worked out by the build); a child whose current form is older is not counted, but said.
    const term = index.term;
    const part = section(term ? `Whole school this term: ${term.title}` : "Whole school this term", "school-summary");
    const onRoll = index.children.filter((c) => !c.left);
    const counted = term ? onRoll.filter((c) => c.term_anchor === term.anchor) : [];
    const note = document.createElement("p");
    note.className = "summary-note";
    note.textContent = !term
      ? "No child has attainment for a term of this school year yet."
      : counted.length === onRoll.length
        ? `Every child on roll (${onRoll.length}) is counted.`
        : `${onRoll.length - counted.length} of ${onRoll.length} children on roll have no attainment for ${term.title} yet and are not counted${notCounted(onRoll.filter((c) => !counted.includes(c)))}.`;
    part.append(note);
    if (!term) return part;
    const table = document.createElement("table");
    table.className = "summary";
    const statuses = Object.keys(SEVERITY);
    const words = { not_on_track: "✕ Not on track", nearly_there: "▲ Nearly there", on_target: "● On target", exceeding: "★ Exceeding", none: "– Not entered yet" };
    const head = document.createElement("tr");
    for (const title of ["Year group", "Subject", ...statuses.map((s) => words[s])]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = title;
      head.append(th);
    }
    const thead = document.createElement("thead");
    thead.append(head);
    const body = document.createElement("tbody");
    const who = document.createElement("div");  // the children a count stands for, once asked
    who.className = "summary-who";
    who.id = "summary-who";
    who.setAttribute("aria-live", "polite");
    const counts = [];  // [button, what it counts, the children]
    const show = (asked) => {
      const shown = counts.find(([, what]) => asked && what.group === asked.group
        && what.subject === asked.subject && what.status === asked.status);
      for (const [button] of counts) button.setAttribute("aria-expanded", String(Boolean(shown) && button === shown[0]));
      who.replaceChildren();
      remember({ counted: shown ? shown[1] : null });
      if (!shown) return;
      const [, what, children] = shown;
      const title = document.createElement("p");
      title.textContent = `Year ${what.group}, ${what.title}, ${words[what.status].slice(2)}:`;
      const list = document.createElement("ul");
      for (const child of children) {
        const item = document.createElement("li");
        item.append(open(child), child.class ? ` (${child.class})` : "");
        list.append(item);
      }
      who.append(title, list);
    };
    const groups = [...new Set(counted.map((c) => c.year_group))].sort((a, b) => a - b);
    for (const group of groups) {
      for (const subject of index.subjects) {
        const row = document.createElement("tr");
        const title = asHeading(subject);
        const groupCell = document.createElement("th");
        groupCell.scope = "row";
        groupCell.textContent = `Year ${group}`;
        const subjectCell = document.createElement("td");
        subjectCell.textContent = title;
        row.append(groupCell, subjectCell);
        // A count is a button that names its children under the table ("which three?"), by
        // surname as the overview is; pressed again, it folds them.
        const countButton = (status, children, text) => {
          const what = { group, subject, status, title };
          const button = document.createElement("button");
          button.type = "button";
          button.className = "count";
          button.textContent = text;
          button.setAttribute("aria-label", `${children.length} in Year ${group}, ${title}, ${words[status].slice(2)}: who`);
          button.setAttribute("aria-controls", who.id);
          button.addEventListener("click", () => show(button.getAttribute("aria-expanded") === "true" ? null : what));
          counts.push([button, what, children]);
          return button;
        };
        const inGroup = counted.filter((c) => c.year_group === group).sort((a, b) => compareKeys(a.sort, b.sort));
        // The counted children the subject has no status for yet while others have (a term half
        // entered), said under its name: the row adds up to the children counted in it. (A row
        // of noughts needs no such line: a subject not recorded in the year group, or not yet.)
        const missing = inGroup.filter((c) => !(c.subjects && c.subjects[subject]));
        if (missing.length && missing.length < inGroup.length) {
          const line = document.createElement("span");
          line.className = "summary-missing";
          line.append(countButton("none", missing, `${missing.length} not entered yet`));
          subjectCell.append(line);
        }
        for (const status of statuses) {
          const children = inGroup.filter((c) => c.subjects && c.subjects[subject] && c.subjects[subject].status === status);
          const cell = document.createElement("td");
          if (children.length) cell.append(countButton(status, children, String(children.length)));
          else cell.textContent = "0";
          row.append(cell);
        }
        body.append(row);
      }
    }
    table.append(thead, body);
    part.append(table, who);
    show(remembered().counted);  // back from a child opened from it: as it was left
    return part;
  }

  // ------------------------------------------------------------------ log out, in every tab

  let locking = false;
  function lockThisTab() {
    if (locking) return;  // once: a second navigation would cancel the first
    locking = true;
    const container = document.getElementById("folder");
    if (container) container.replaceChildren();
    while (blobUrls.length) URL.revokeObjectURL(blobUrls.pop());
    sealedFiles.clear();
    location.replace(new URL("index.html?logged-out", ROOT));
  }

  async function logout() {
    await endSession();
    lockThisTab();
  }

  // Every key forgotten, and every other tab told (each locks); this one is the caller's to change.
  async function endSession() {
    await session.clear();
    try {  // this tab's own channel does not hear its own message (a new one would: it is another object)
      const channel = logoutChannel || new BroadcastChannel("amentor");
      channel.postMessage("logout");
      if (channel !== logoutChannel) channel.close();
    } catch (error) { /* no BroadcastChannel: the storage event below still reaches other tabs */ }
    localStorage.setItem("amentor-logout", String(Date.now()));  // a timestamp only: wakes other tabs
  }

  // A staff login lasts a working day: a staffroom computer left logged in overnight asks for it
  // again in the morning (a family's stays until they log out: PROTECTION 5, their own phone).
  const STAFF_HOURS = 12;
  async function endStaleStaff() {
    const staff = await session.get("staff");
    const stale = Boolean(staff) && !(Date.now() - (staff.since || 0) < STAFF_HOURS * 3600 * 1000);
    if (stale) await endSession();
    return stale;
  }

  let logoutChannel = null;  // kept referenced for as long as the page lives

  // A log-out in another tab runs onLogout here: a folder or the staff list locks, the home page
  // withdraws its offer to open the folders.
  function watchForLogout(onLogout) {
    try {
      logoutChannel = new BroadcastChannel("amentor");
      logoutChannel.onmessage = (event) => { if (event.data === "logout") onLogout(); };
    } catch (error) { /* old browser */ }
    window.addEventListener("storage", (event) => { if (event.key === "amentor-logout") onLogout(); });
  }

  // ------------------------------------------------------------------ start

  // For tests of the Python/browser round trip: decryption only, no keys or session exposed.
  window.amentorCrypto = Object.freeze({ unseal: (keyBase64, name, buffer) => importKey(keyBase64).then((key) => unseal(key, name, buffer)) });

  // Never inside another page (clickjacking): the host's headers forbid it too (_headers,
  // .htaccess: frame-ancestors 'none', X-Frame-Options DENY); this holds where a host ignores them.
  if (window.top !== window.self) {
    document.body.replaceChildren(errorBox("This page cannot be shown inside another website. Open it on its own."));
    return;
  }
  const bundle = document.getElementById("amentor-bundle");
  if (bundle) {
    showBundle(document.getElementById("folder"), JSON.parse(bundle.textContent));
    return;
  }
  const view = document.body.dataset.view;
  const container = document.getElementById("folder");
  // The skip link goes to the page on screen (its heading; past the folder's menu) without an
  // address of its own: the address keeps naming the page, so a reload or a bookmark opens it.
  document.querySelector(".skip-link")?.addEventListener("click", (event) => {
    const target = container?.querySelector("h2.page-title") || container?.querySelector("main") || container;
    if (!target) return;
    event.preventDefault();
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
  document.getElementById("logout")?.addEventListener("click", logout);
  const form = document.getElementById("login-form");
  if (form) {
    setUpLoginForm(form);
    watchForLogout(withdrawOffer);
    offerOpenFolders(form).catch(() => {});
  }
  if (view === "folder" || view === "staff") {
    watchForLogout(lockThisTab);
    // Back to a page the browser kept whole (its back-forward cache): a log-out or another login
    // since must not leave it showing. Opened again, it asks the session afresh.
    window.addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });
    // A list or folder left open on screen past a staff login's hours locks: looked at again (the
    // tab shown, the screen woken), or within a minute.
    const lockIfStale = () => endStaleStaff().then((stale) => { if (stale) lockThisTab(); }).catch(() => {});
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") lockIfStale(); });
    setInterval(lockIfStale, 60 * 1000);
    (view === "folder" ? showFolder(container) : showStaff(container)).catch(() =>
      container.replaceChildren(errorBox("The folder could not be opened in this browser.")));
  }
})();
