// The request flow, loaded on demand as one chunk.
export { AmountStep, BankStep, CompanyStep, ContactStep, FiguresStep } from '../pages/request/steps';
export { CheckAnswersPage, ConfirmationPage, StartPage } from '../pages/request/pages';
