import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { message, renderMessage, type MessageCatalogue } from '../../src/desk/domain/index.ts';

const CATALOGUE: MessageCatalogue = {
  'field.name': { en: 'Name', 'zh-Hant': '姓名' },
  'error.empty': { en: '{field} must not be empty', 'zh-Hant': '{field}不可留空' },
  'error.count': { en: '{n} of {total}', 'zh-Hant': '{total} 中的 {n}' },
};

describe('messages', () => {
  it('renders a template in each language, with a message as a parameter', () => {
    const m = message('error.empty', { field: message('field.name') });
    assert.equal(renderMessage(m, 'en', CATALOGUE), 'Name must not be empty');
    assert.equal(renderMessage(m, 'zh-Hant', CATALOGUE), '姓名不可留空');
  });

  it('puts every parameter in its place and shows null as a dash', () => {
    assert.equal(renderMessage(message('error.count', { n: 3, total: null }), 'zh-Hant', CATALOGUE), '— 中的 3');
  });

  it('renders an unknown code as the code with its parameters, never as nothing', () => {
    assert.equal(renderMessage(message('no.such', { a: 1, b: 'x' }), 'en', CATALOGUE), 'no.such (a=1, b=x)');
    assert.equal(renderMessage(message('no.such'), 'en', CATALOGUE), 'no.such');
  });

  it('leaves a placeholder without a parameter visible', () => {
    assert.equal(renderMessage(message('error.empty'), 'en', CATALOGUE), '{field} must not be empty');
  });
});
