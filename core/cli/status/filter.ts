// `rune status FILTER...`'s filter: the controller's own (it answers only what was asked), here
// for the CLI's formatting, which applies it again (a no-op on an answer filtered already).
export { endpointApplication, filterStatus } from '../../controller/status-filter.js';
