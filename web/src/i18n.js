// The web app's labels come from the one message catalogue on the server
// (`hsplan_report::messages::WEB`, served at /api/messages); numbers and names come from the
// API. This module only looks them up.
let M = { 'zh-CN': {}, en: {} };

export function setMessages(messages) {
  M = messages;
}

let lang = 'zh-CN';

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh-CN';
  document.documentElement.lang = lang;
}

export function getLang() {
  return lang;
}

export function t(key) {
  return M[lang][key] ?? M['zh-CN'][key] ?? key;
}

// A unit of measure as the plans write it (人次, 张/千人…), in the current language.
export function unitText(u) {
  const label = M[lang][`unit:${u}`];
  return label ?? u;
}

// A parenthetical in the current language's punctuation: （…） in Chinese, " (…)" in English.
export function inParens(text) {
  if (!text) return '';
  return lang === 'en' ? ` (${text})` : `（${text}）`;
}

// Picks the zh or en field of an API value.
export function pick(zh, en) {
  return lang === 'en' ? (en || zh) : (zh || en);
}
