/** Text cleaning lives in the platform (names of users, shops and warehouses use it too). */
export { plainText, textLength } from '../../platform/text.js';
